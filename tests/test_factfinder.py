"""The facts service picks rules alone, or rules plus the configured LLM."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.factfinder import RuleFactFinder, fact_finder
from monitor.facts.llm import LLMFactFinder
from tests.summarise.chat_server import ChatServer

TEXT = "Acme will build a 300 MW campus in Ohio. It is under construction."


@pytest.fixture(autouse=True)
def _no_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_rules_alone_without_an_llm() -> None:
    config = load_config(None, environ={})
    with fact_finder(config) as finder:
        assert isinstance(finder, RuleFactFinder)
        facts, note = finder.facts("", TEXT)
    assert facts.power_mw == (300.0,) and facts.status == "under construction" and note is None


def test_the_configured_llm_through_the_project_s_client() -> None:
    with ChatServer() as chat:
        chat.answer(json.dumps({"companies": ["Acme"], "places": ["Ohio"], "status": None}))
        config = replace(load_config(None, environ={}), llm_url=chat.url,
                         llm_model="test-model", llm_api_key="sk-test")
        with fact_finder(config) as finder:
            assert isinstance(finder, LLMFactFinder)
            facts, note = finder.facts("", TEXT)
    assert facts.companies == ("Acme",) and facts.places == ("Ohio",) and note is None
    assert chat.requests[0].headers["authorization"] == "Bearer sk-test"
