"""LLM-proposed facts against a loopback chat server: grounding, fallbacks, cache."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.errors import FactsError
from monitor.facts.extract import extract_facts
from monitor.facts.llm import LLMFactFinder, build_messages, combine, ground, parse_proposal
from monitor.model import Facts, Money
from monitor.summarise import ExtractiveSummariser
from monitor.summarise.llm import LLMSummariser
from tests.summarise.chat_server import ChatServer

TITLE = "Kestrel Power to supply Northwind's AI campus"
TEXT = ("Northwind Compute will spend $4.5 billion on a data centre near Frankfurt. The site "
        "will draw 1.2 GW and house about 100,000 GPUs, with power from Kestrel Power. "
        "Construction has started.")
GOOD = {"power_mw": [1200], "investment": [{"amount": 4.5e9, "currency": "USD"}],
        "gpus": [100000], "chips": [], "companies": ["Northwind Compute", "Kestrel Power"],
        "places": ["Frankfurt"], "status": "under construction"}


def finder(server: ChatServer, cache: dict[str, str] | None = None) -> LLMFactFinder:
    client = LLMSummariser(server.url, "test-model", "sk-test", timeout=2.0, max_calls=5,
                           cache={}, fallback=ExtractiveSummariser())
    return LLMFactFinder(client.ask, "test-model", cache)


def test_grounded_proposals_are_added_to_the_rules(chat_server: ChatServer) -> None:
    chat_server.answer("```json\n" + json.dumps(GOOD) + "\n```")
    facts, note = finder(chat_server).facts(TITLE, TEXT)
    assert note is None
    assert facts.places == ("Frankfurt",) and facts.status == "under construction"
    assert facts.power_mw == (1200.0,) and facts.investment == (Money(4.5e9, "USD"),)
    assert "Kestrel Power" in facts.companies
    system, user = chat_server.requests[0].json["messages"]
    assert "JSON object" in system["content"] and TEXT in user["content"]


def test_values_the_text_does_not_state_are_dropped(chat_server: ChatServer) -> None:
    invented = dict(GOOD, power_mw=[1200, 5000], investment=[{"amount": 9e9, "currency": "USD"},
                                                              {"amount": 4.5e9, "currency": "EUR"}],
                    gpus=[100000, 250000], companies=["Northwind Compute", "Intel"],
                    places=["Frankfurt", "Berlin"], chips=["H100"])
    chat_server.answer(json.dumps(invented))
    facts, note = finder(chat_server).facts(TITLE, TEXT)
    assert 5000.0 not in facts.power_mw and 250000 not in facts.gpus
    assert "Intel" not in facts.companies and "Berlin" not in facts.places
    assert facts.investment == (Money(4.5e9, "USD"),) and facts.chips == ()
    assert note == ("LLM facts: 7 proposed value(s) the article does not state were dropped "
                    "(5 GW, $9bn, €4.5bn).")


@pytest.mark.parametrize("reply", ["Sorry, I cannot help.", "[1, 2]", "{not json"])
def test_an_unusable_answer_leaves_the_rule_based_facts(chat_server: ChatServer,
                                                       reply: str) -> None:
    chat_server.answer(reply)
    facts, note = finder(chat_server).facts(TITLE, TEXT)
    assert facts == extract_facts(TITLE, TEXT)
    assert note == "LLM facts not used: the LLM answer was not a JSON object of facts."


def test_an_http_error_leaves_the_rule_based_facts(chat_server: ChatServer) -> None:
    chat_server.fail(500)
    facts, note = finder(chat_server).facts(TITLE, TEXT)
    assert facts == extract_facts(TITLE, TEXT)
    assert note == "LLM facts not used: the LLM endpoint answered HTTP 500."


def test_a_cached_answer_costs_no_request(chat_server: ChatServer) -> None:
    cache: dict[str, str] = {}
    chat_server.answer(json.dumps(GOOD))
    first = finder(chat_server, cache).facts(TITLE, TEXT)
    second = finder(chat_server, cache).facts(TITLE, TEXT)
    assert first == second and len(chat_server.requests) == 1


def test_parse_proposal_skips_values_of_the_wrong_type() -> None:
    answer = ('<think>hmm</think>{"power_mw": [1000, "lots", true, -5], "gpus": [8.5, 16], '
              '"investment": [{"amount": "1bn", "currency": "USD"}, {"amount": 2e9, '
              '"currency": "eur"}], "companies": ["A", 3, " "], "status": "rumoured"}')
    assert parse_proposal(answer) == Facts(power_mw=(1000.0,), gpus=(16,),
                                           investment=(Money(2e9, "EUR"),), companies=("A",))
    with pytest.raises(FactsError):
        parse_proposal("no facts here")


def test_names_are_grounded_as_whole_words_ignoring_case_dots_and_hyphens() -> None:
    proposal = Facts(companies=("EuroHPC", "Kestrel Power Inc.", "Kes"), places=("U.S.",),
                     chips=("gb200",))
    kept = ground(proposal, "", "Euro HPC and kestrel power build GB200 systems in the US.")
    assert kept.facts.companies == ("EuroHPC", "Kestrel Power Inc.")
    assert kept.facts.places == ("U.S.",) and kept.facts.chips == ("gb200",)
    assert kept.dropped == ("Kes",)


def test_combine_keeps_the_rules_and_adds_the_model_s() -> None:
    rules = Facts(companies=("Meta",), status="announced")
    model = Facts(companies=("Meta Platforms", "Entergy"), status="financed")
    assert combine(rules, model) == Facts(companies=("Meta", "Entergy"), status="financed")
    assert combine(rules, Facts()).status == "announced"


def test_the_prompt_is_bounded() -> None:
    messages = build_messages("T", "word " * 10_000)
    assert len(messages[1]["content"]) < 21_000


_KEYS = st.sampled_from([*GOOD, "amount", "currency"])
_JSON = st.recursive(st.none() | st.booleans() | st.floats() | st.text(max_size=10),
                     lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(_KEYS, inner, max_size=4), max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(st.text(), _JSON)
def test_any_answer_parses_or_says_why(text: str, data: object) -> None:
    for answer in (text, json.dumps(data)):
        try:
            proposal = parse_proposal(answer)
        except FactsError:
            continue
        ground(proposal, "", text)


def test_infinite_and_negative_numbers_are_not_facts() -> None:
    answer = ('{"power_mw": [Infinity, NaN, -3, 12], "investment": [{"amount": Infinity, '
              '"currency": "USD"}], "gpus": [1e400]}')
    assert parse_proposal(answer) == Facts(power_mw=(12.0,))
