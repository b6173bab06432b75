from __future__ import annotations

import pytest

from monitor.facts.money import amounts, investment
from tests.facts.conftest import parts


def money(text: str, title: str = "") -> list[tuple[float, str]]:
    return investment(parts(text, title))


@pytest.mark.parametrize(("text", "expected"), [
    ("Meta will spend $27bn on the campus.", [(2.7e10, "USD")]),
    ("The EU's €200 billion InvestAI programme.", [(2e11, "EUR")]),
    ("France will invest 109 billion euros in AI.", [(1.09e11, "EUR")]),
    ("a deal worth up to $6.5 billion", [(6.5e9, "USD")]),
    ("the $2 billion-plus project", [(2e9, "USD")]),
    ("a record near-$35 billion quarter of capital spending", [(3.5e10, "USD")]),
    ("capex of $91-$93 billion this year", [(9.1e10, "USD"), (9.3e10, "USD")]),
    ("Reliance will invest Rs 40,000 crore in Jamnagar.", [(4e11, "INR")]),
    ("a £2.5bn loan for the Teesside site", [(2.5e9, "GBP")]),
    ("$500 billion over four years", [(5e11, "USD")]),
    ("a $9 billion all-stock deal", [(9e9, "USD")]),
    ("OpenAI will buy $350 million worth of equity in the cloud firm.", [(3.5e8, "USD")]),
])
def test_investment(text: str, expected: list[tuple[float, str]]) -> None:
    assert money(text) == expected


@pytest.mark.parametrize("text", [
    "Revenue hit $46.7 billion, up 56 percent.",
    "Net income jumped to $26.4 billion.",
    "AWS revenue rose 20% to $33 billion.",
    "The rally added $80 billion to its market cap.",
    "The slide wiped out $593.7 billion of market capitalization.",
    "Nvidia takes a $5.5 billion charge on the export ban.",
    "Nvidia Loses Nearly $600 Billion in Market Value",
    "Shares closed at $142.62.",
    "a warrant for 160 million shares at $0.01 per share",
    "The startup raised money at a $157 billion valuation.",
    "Microsoft's stake is now valued at $135 billion.",
    "OpenAI expects losses of $14 billion.",
])
def test_revenue_valuations_losses_and_share_prices_are_not_investment(text: str) -> None:
    assert money(text) == []


def test_a_deal_valued_at_is_investment_a_company_valued_at_is_not() -> None:
    assert money("a five-year agreement valued at $17.4 billion") == [(1.74e10, "USD")]
    assert money("The company, valued at $500 billion, signed it.") == []


def test_a_funding_round_counts_its_valuation_does_not() -> None:
    text = "Nscale raised $1.1 billion at a valuation of $3 billion."
    assert money(text) == [(1.1e9, "USD")]


def test_a_conversion_in_brackets_restates_the_amount() -> None:
    text = "The EU will invest €200 billion (about $208 billion) and €50 billion ($52 billion)."
    assert money(text) == [(2e11, "EUR"), (5e10, "EUR")]


def test_title_and_text_amounts_within_one_percent_are_one() -> None:
    assert money("a five-year, $11.9 billion agreement", title="OpenAI pours $12B into it") \
        == [(1.2e10, "USD")]


def test_amounts_sees_every_sum_of_money_whatever_it_is() -> None:
    found = amounts("Revenue was $46.7 billion and capex $12bn, or 109 billion euros.")
    assert [(a.amount, a.currency) for a in found] == [
        (4.67e10, "USD"), (1.2e10, "USD"), (1.09e11, "EUR")]


def test_a_market_s_size_and_a_backlog_are_not_investment() -> None:
    assert money("The AI chip market is worth $400 billion.") == []
    assert money("CoreWeave's backlog reached $55.6 billion.") == []


def test_a_company_s_size_is_not_investment() -> None:
    assert money("Nvidia became a $3 trillion company.") == []
    assert money("The company will spend $5 billion on the site.") == [(5e9, "USD")]


def test_currency_words_with_their_country() -> None:
    text = "Brookfield will invest up to 95 billion Swedish kronor, or about $10 billion, in it."
    assert money(text) == [(9.5e10, "SEK")]
