"""The LLM summariser against a loopback chat-completions server: checks, fallbacks, cache."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from monitor.errors import ConfigError
from monitor.model import Hit
from monitor.summarise import ExtractiveSummariser, LLMSummariser, Summary
from monitor.summarise.llm import build_messages, cache_key, chat_url
from tests.summarise.chat_server import ChatServer, completion

KEY = "sk-test-5ecr3t-do-not-leak"
ARTICLE = (
    "Northwind Compute said on Tuesday it would spend $4.5 billion on a new AI data centre "
    "near Frankfurt. The campus will draw 1.2 GW and house about 100,000 GPUs. "
    "Construction starts in 2027."
)
GOOD = "Northwind Compute will spend $4.5 billion on an AI data centre near Frankfurt."
EXTRACTIVE = ExtractiveSummariser()


def make(server: ChatServer, **kwargs: object) -> LLMSummariser:
    options: dict[str, object] = {"timeout": 2.0, "max_calls": 10, "cache": {}}
    options.update(kwargs)
    return LLMSummariser(
        server.url, "test-model", KEY, fallback=EXTRACTIVE, **options  # type: ignore[arg-type]
    )


def fallback_text(**kwargs: object) -> str:
    return EXTRACTIVE.summarise(ARTICLE, **kwargs).text  # type: ignore[arg-type]


def test_a_good_answer_is_used(chat_server: ChatServer) -> None:
    chat_server.answer(f"  {GOOD}\n")
    with make(chat_server) as llm:
        summary = llm.summarise(ARTICLE, title="Northwind to build", sentences=2, budget=300)
    assert summary == Summary(GOOD, "llm", None)
    request = chat_server.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.json["model"] == "test-model"
    system, user = request.json["messages"]
    assert system["role"] == "system" and "only what that text states" in system["content"]
    assert "at most 2 sentences" in user["content"] and "300 characters" in user["content"]
    assert ARTICLE in user["content"] and "Title: Northwind to build" in user["content"]


def test_hits_name_the_reader_s_interest(chat_server: ChatServer) -> None:
    hits = [Hit(term="GPU*", field="content", text="GPUs")]
    with make(chat_server) as llm:
        llm.summarise(ARTICLE, hits=hits)
    assert "The reader follows: GPUs." in chat_server.requests[0].json["messages"][1]["content"]


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (500, "the LLM endpoint answered HTTP 500"),
        (401, "the LLM endpoint refused the API key (HTTP 401)"),
        (429, "the LLM endpoint is rate-limiting requests (HTTP 429)"),
    ],
)
def test_http_errors_fall_back(chat_server: ChatServer, status: int, reason: str) -> None:
    chat_server.fail(status)
    with make(chat_server) as llm:
        summary = llm.summarise(ARTICLE)
    assert summary.method == "extractive"
    assert summary.text == fallback_text()
    assert summary.note == f"LLM summary not used: {reason}."


def test_a_timeout_falls_back(chat_server: ChatServer) -> None:
    chat_server.stall(seconds=3.0, content=GOOD)
    with make(chat_server, timeout=0.2) as llm:
        summary = llm.summarise(ARTICLE)
    assert summary.method == "extractive" and summary.text == fallback_text()
    assert summary.note == "LLM summary not used: the LLM request timed out after 0.2 s."


def test_an_unreachable_endpoint_falls_back() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    llm = LLMSummariser(
        "http://127.0.0.1:9/v1", "m", KEY, cache={}, fallback=EXTRACTIVE,
        transport=httpx.MockTransport(refuse),
    )  # fmt: skip
    summary = llm.summarise(ARTICLE)
    assert summary.note == "LLM summary not used: the LLM endpoint could not be reached (ConnectError)."


def test_a_made_up_number_falls_back(chat_server: ChatServer) -> None:
    chat_server.answer("Northwind Compute will spend $9 billion on a data centre near Frankfurt.")
    with make(chat_server) as llm:
        summary = llm.summarise(ARTICLE)
    assert summary.method == "extractive" and summary.text == fallback_text()
    assert summary.note == "LLM summary not used: the LLM summary states 9, which the article does not."


def test_a_made_up_name_falls_back(chat_server: ChatServer) -> None:
    chat_server.answer("Intel will help Northwind build a data centre near Frankfurt.")
    with make(chat_server) as llm:
        summary = llm.summarise(ARTICLE)
    assert summary.method == "extractive"
    assert summary.note is not None and "Intel" in summary.note


def test_an_answer_over_budget_falls_back(chat_server: ChatServer) -> None:
    answer = GOOD + " " + GOOD
    chat_server.answer(answer)
    with make(chat_server) as llm:
        summary = llm.summarise(ARTICLE, budget=100)
    assert summary.method == "extractive" and len(summary.text) <= 100
    assert summary.note == (
        f"LLM summary not used: the LLM summary has {len(answer)} characters,"
        " over the budget of 100."
    )


@pytest.mark.parametrize(
    "body",
    [b"not json", b"{}", b'{"choices": []}', b'{"choices": [{"message": {}}]}', completion(None)],
)
def test_malformed_answers_fall_back(chat_server: ChatServer, body: bytes) -> None:
    chat_server.send_raw(body)
    with make(chat_server) as llm:
        summary = llm.summarise(ARTICLE)
    assert summary.method == "extractive" and summary.text == fallback_text()
    assert summary.note is not None and summary.note.startswith("LLM summary not used: the LLM")


def test_empty_answer_falls_back(chat_server: ChatServer) -> None:
    chat_server.answer("   ")
    with make(chat_server) as llm:
        assert llm.summarise(ARTICLE).note == "LLM summary not used: the LLM answer was empty."


def test_the_answer_is_cleaned(chat_server: ChatServer) -> None:
    chat_server.answer(f"<think>planning</think>Summary: \"{GOOD}\"")
    with make(chat_server) as llm:
        assert llm.summarise(ARTICLE).text == GOOD


def test_the_call_cap(chat_server: ChatServer) -> None:
    chat_server.fail(500)
    chat_server.answer(GOOD)
    with make(chat_server, max_calls=2) as llm:
        first = llm.summarise(ARTICLE)
        second = llm.summarise(ARTICLE)
        third = llm.summarise(ARTICLE + " More.")
    assert first.method == "extractive"  # a failed call still counts
    assert second.method == "llm"
    assert third.method == "extractive"
    assert third.note == "LLM summary not used: the limit of 2 LLM calls per run was reached."
    assert len(chat_server.requests) == 2 and llm.calls == 2


def test_a_cache_hit_costs_no_request(chat_server: ChatServer) -> None:
    cache: dict[str, str] = {}
    chat_server.answer(GOOD)
    with make(chat_server, cache=cache) as llm:
        first = llm.summarise(ARTICLE)
    with make(chat_server, cache=cache, max_calls=0) as llm:  # a later run, no calls left
        second = llm.summarise(ARTICLE)
    assert first == second == Summary(GOOD, "llm", None)
    assert len(chat_server.requests) == 1
    [(key, value)] = cache.items()
    assert value == GOOD and len(key) == 64 and int(key, 16) >= 0


def test_a_rejected_answer_is_not_cached(chat_server: ChatServer) -> None:
    cache: dict[str, str] = {}
    chat_server.answer("Intel will build it.")
    with make(chat_server, cache=cache) as llm:
        llm.summarise(ARTICLE)
    assert cache == {}


def test_cache_key_covers_model_prompt_and_text() -> None:
    messages = build_messages(ARTICLE, "", (), 3, 600)
    key = cache_key("m1", messages)
    assert key == cache_key("m1", build_messages(ARTICLE, "", (), 3, 600))
    assert key != cache_key("m2", messages)
    assert key != cache_key("m1", build_messages(ARTICLE + " x", "", (), 3, 600))
    assert key != cache_key("m1", build_messages(ARTICLE, "", (), 2, 600))
    assert key == hashlib.sha256(
        b"m1" + b"".join(
            b"\x00" + m["role"].encode() + b"\x00" + m["content"].encode() for m in messages
        )
    ).hexdigest()


def test_the_key_never_leaks(chat_server: ChatServer) -> None:
    chat_server.fail(401, body=f'{{"error": "bad key {KEY}"}}'.encode())
    chat_server.fail(500, body=KEY.encode())
    chat_server.send_raw(f"garbage {KEY}".encode())
    chat_server.answer(f"Leaked {KEY} 123")
    chat_server.answer(f"Northwind {KEY.upper()} data centre.")  # a name-like echo of the key
    chat_server.stall(seconds=3.0)
    notes = []
    with make(chat_server, timeout=0.2) as llm:
        for _ in range(6):
            notes.append(llm.summarise(ARTICLE).note or "")
        assert KEY not in repr(llm) and KEY not in str(vars(llm))
    assert all(note.startswith("LLM summary not used") for note in notes)
    assert not any(KEY.lower() in note.lower() for note in notes)
    with pytest.raises(ConfigError) as bad:
        LLMSummariser(chat_server.url, "m", KEY + "\nX-Evil: 1", cache={}, fallback=EXTRACTIVE)
    assert KEY not in str(bad.value)


def test_no_key_sends_no_authorization(chat_server: ChatServer) -> None:
    with LLMSummariser(chat_server.url, "m", "", cache={}, fallback=EXTRACTIVE) as llm:
        llm.summarise(ARTICLE)
    assert "authorization" not in chat_server.requests[0].headers


@pytest.mark.parametrize(
    ("url", "endpoint"),
    [
        ("https://api.example.org/v1", "https://api.example.org/v1/chat/completions"),
        ("https://api.example.org/v1/", "https://api.example.org/v1/chat/completions"),
        (
            "https://api.example.org/v1/chat/completions",
            "https://api.example.org/v1/chat/completions",
        ),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1/chat/completions"),
        ("https://host/openai/deployments/x", "https://host/openai/deployments/x/chat/completions"),
    ],
)
def test_chat_url(url: str, endpoint: str) -> None:
    assert chat_url(url) == endpoint


@pytest.mark.parametrize("url", ["ftp://host/v1", "host/v1", "", "https://"])
def test_bad_urls_are_config_errors(url: str) -> None:
    with pytest.raises(ConfigError):
        chat_url(url)


def test_a_key_echoed_by_the_model_is_masked_in_the_note(chat_server: ChatServer) -> None:
    key = "Northwind7Token"
    chat_server.answer(f"Northwind Compute uses {key} for its data centre near Frankfurt.")
    with LLMSummariser(chat_server.url, "m", key, cache={}, fallback=EXTRACTIVE) as llm:
        note = llm.summarise(ARTICLE).note
    assert note == "LLM summary not used: the LLM summary states 7, ***, which the article does not."
