from __future__ import annotations

import pytest

from monitor.facts.names import tokens
from monitor.facts.who import companies_in, mentions
from tests.facts.conftest import parts


def companies(text: str, title: str = "") -> list[str]:
    return companies_in([(s, mentions(s, tokens(s.text))) for s in parts(text, title)])


def test_gazetteer_names_come_out_by_their_shortest_common_name() -> None:
    text = ("Advanced Micro Devices and Meta Platforms Inc. signed with Amazon Web Services, "
            "NVIDIA Corp. and the European Union.")
    assert companies(text) == ["AMD", "Meta", "AWS", "Nvidia", "EU"]


def test_one_name_per_organisation() -> None:
    assert companies("Nebius Group said Nebius will grow; GE Vernova, not GE, sells it.") == \
        ["Nebius", "GE Vernova"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Northwind Capital and Fjord Networks will fund it.", ["Northwind Capital", "Fjord Networks"]),
    ("Acme Inc. will build it.", ["Acme"]),
    ("the neocloud Lumenstack will run it", ["Lumenstack"]),
    ("AI cloud firm Skyforge signed on", ["Skyforge"]),
    ("Borealis, a Finnish data centre operator, will host it.", ["Borealis"]),
    ("telecom groups such as Vireo, Orange and Castellan back it", ["Vireo", "Orange", "Castellan"]),
    ("OpenAI signed a deal with Kestrel to supply power.", ["OpenAI", "Kestrel"]),
    ("Meta agreed to acquire Halcyon for $2 billion.", ["Meta", "Halcyon"]),
    ("The round was led by Aker ASA.", ["Aker"]),
])
def test_names_the_text_marks_as_organisations(text: str, expected: list[str]) -> None:
    assert companies(text) == expected


@pytest.mark.parametrize("text", [
    "CEO Jensen Huang met President Donald Trump.",
    "OpenAI has a deal with Sam Altman as chief.",
    "the deal was backed by the French government",
    "an agreement with the Trump administration",
    "according to Reuters and the Financial Times",
    "Bloomberg Intelligence analyst Mandeep Singh said so",
    "AI Data Center Infrastructure Grows",
    "Billions Flowing Into AI Infrastructure",
])
def test_people_governments_outlets_and_headline_words_are_not_companies(text: str) -> None:
    assert [c for c in companies(text) if c not in ("OpenAI",)] == []


def test_a_mention_that_only_describes_another_company_does_not_count() -> None:
    text = ("SK Hynix, the Nvidia supplier, said HBM is sold out. Its parent was spun off from "
            "General Electric Vernova Holdings. It is a top supplier to Nvidia.")
    assert companies(text) == ["SK Hynix"]


def test_a_possessor_in_a_list_is_not_an_item() -> None:
    text = "firms including BlackRock, Elon Musk's xAI and MGX of Abu Dhabi agreed to buy it."
    assert companies(text) == ["BlackRock", "xAI", "MGX"]


def test_a_company_named_only_where_shares_move_is_the_backdrop() -> None:
    text = ("AMD and OpenAI agreed a chip deal. AMD shares rose 24%. Nvidia (NVDA) was down "
            "more than 1% on the Nasdaq.")
    assert companies(text, title="AMD stock soars on OpenAI pact") == ["AMD", "OpenAI"]


def test_shares_moving_beside_a_deal_still_count() -> None:
    text = "CoreWeave's stock jumped 13% after it signed a $14 billion deal with Meta."
    assert companies(text) == ["CoreWeave", "Meta"]


def test_lower_case_words_are_not_names() -> None:
    assert companies("a meta-analysis of oracle bone scripts and an orange") == []
