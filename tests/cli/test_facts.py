"""`monitor facts` on real inputs: files, HTML pages over loopback, stdin, the LLM."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from tests.feedserver import FeedServer, Route
from tests.summarise.chat_server import ChatServer

ARTICLE = ("OpenAI and Oracle start building 1.2 GW campus in Abilene, Texas\n"
           "Crusoe said construction has begun on the 1.2-gigawatt campus near Abilene, Texas. "
           "The $15 billion project will house up to 400,000 Nvidia GB200 chips. Oracle, whose "
           "market value rose by $200 billion this year, will run the site.")
PAGE = ("<html><head><title>Humain breaks ground in Riyadh</title></head><body><article>"
        "<h1>Humain breaks ground in Riyadh</h1><p>Saudi AI company Humain has started "
        "construction on its first data centers in Riyadh and Dammam, each with up to 100 "
        "megawatts, using 18,000 Nvidia GB300 chips in the first phase, the company said on "
        "Tuesday. The facilities are due to open next year and will serve customers across "
        "the region, according to its chief executive.</p></article></body></html>")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("MONITOR_CONFIG", "MONITOR_LLM_URL", "MONITOR_LLM_MODEL", "MONITOR_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_text_output_for_a_file(env: Path) -> None:
    (env / "stargate.txt").write_text(ARTICLE, encoding="utf-8")
    result = invoke("facts", "stargate.txt")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:2] == ["== stargate.txt", ARTICLE.splitlines()[0]]
    assert "power:      1.2 GW" in lines and "investment: $15bn" in lines
    assert "places:     Abilene, Texas" in lines and "status:     under construction" in lines
    assert lines[-1] == "line:       1.2 GW · $15bn · 400,000 GPUs · Abilene, Texas · " \
        "under construction"


def test_json_for_stdin_a_gz_file_a_page_and_a_missing_file(env: Path,
                                                             feed_server: FeedServer) -> None:
    (env / "a.txt.gz").write_bytes(gzip.compress(ARTICLE.encode()))
    feed_server.routes["/humain"] = Route(PAGE.encode(), content_type="text/html")
    result = invoke("facts", "-", "a.txt.gz", feed_server.url("/humain"), "missing.txt",
                    "--format", "json", input=ARTICLE)
    assert result.exit_code == 1
    stdin, packed, page, missing = json.loads(result.stdout)
    assert set(stdin) == {"input", "title", "published", "facts", "error"}
    assert stdin["input"] == "-" and stdin["facts"] == packed["facts"]
    assert stdin["facts"]["investment"] == [{"amount": 1.5e10, "currency": "USD"}]
    assert stdin["facts"]["gpus"] == [400000] and stdin["facts"]["chips"] == ["GB200"]
    assert page["facts"]["places"] == ["Riyadh", "Dammam"]
    assert page["facts"]["power_mw"] == [100.0]
    assert page["facts"]["status"] == "under construction"
    assert missing["facts"] is None and missing["error"] == \
        "the file does not exist; check the path"


def test_the_configured_llm_adds_only_what_the_text_states(env: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    (env / "stargate.txt").write_text(ARTICLE, encoding="utf-8")
    with ChatServer() as chat:
        chat.answer(json.dumps({"companies": ["Crusoe", "SoftBank"], "gpus": [400000]}))
        monkeypatch.setenv("MONITOR_LLM_URL", chat.url)
        monkeypatch.setenv("MONITOR_LLM_MODEL", "test-model")
        result = invoke("facts", "stargate.txt", "--format", "json")
    assert result.exit_code == 0
    (doc,) = json.loads(result.stdout)
    assert "SoftBank" not in doc["facts"]["companies"]
    assert "note: stargate.txt: LLM facts: 1 proposed value(s) the article does not state " \
        "were dropped (SoftBank)." in result.stderr


def test_an_unreachable_llm_falls_back_to_the_rules(env: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (env / "stargate.txt").write_text(ARTICLE, encoding="utf-8")
    with ChatServer() as chat:
        chat.fail(503)
        monkeypatch.setenv("MONITOR_LLM_URL", chat.url)
        monkeypatch.setenv("MONITOR_LLM_MODEL", "test-model")
        result = invoke("facts", "stargate.txt")
    assert result.exit_code == 0 and "status:     under construction" in result.stdout
    assert "LLM facts not used: the LLM endpoint answered HTTP 503." in result.stderr
