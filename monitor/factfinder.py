"""The facts service: rule-based facts, plus the configured LLM's grounded proposals.

`monitor facts` asks `fact_finder(config)` for a finder and gives it each input's title
and text. With MONITOR_LLM_URL and MONITOR_LLM_MODEL set, the project's one
OpenAI-compatible client (its timeout, size and call caps, key handling) carries the
requests; otherwise, and whenever the model's answer cannot be used, the rules alone
answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from monitor.config import Config
from monitor.facts.extract import extract_facts
from monitor.facts.llm import LLMFactFinder
from monitor.model import Facts


class FactFinder(Protocol):
    def facts(self, title: str, text: str) -> tuple[Facts, str | None]:
        """(facts, a note for the user or None)."""


class RuleFactFinder:
    """Facts by rule only: offline, deterministic, hundreds of articles a second."""

    def facts(self, title: str, text: str) -> tuple[Facts, str | None]:
        return extract_facts(title, text), None


@contextmanager
def fact_finder(config: Config, max_calls: int = 50) -> Iterator[FactFinder]:
    """The finder the configuration asks for; its HTTP client is closed on exit."""
    if not (config.llm_url and config.llm_model):
        yield RuleFactFinder()
        return
    from monitor.summarise import ExtractiveSummariser
    from monitor.summarise.llm import LLMSummariser

    with LLMSummariser(config.llm_url, config.llm_model, config.llm_api_key, cache={},
                       fallback=ExtractiveSummariser(), max_calls=max_calls) as client:
        yield LLMFactFinder(client.ask, config.llm_model)
