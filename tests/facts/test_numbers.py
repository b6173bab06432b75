from __future__ import annotations

import pytest

from monitor.facts.numbers import parse_number, quantities


def values(text: str) -> list[list[tuple[float, str | None]]]:
    return [[(q.value, q.currency) for q in g.items] for g in quantities(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("1,200", 1200.0), ("1.5", 1.5), ("six", 6.0), ("Twenty-five", 25.0), ("half a", 0.5),
    ("one and a half", 1.5), ("a dozen", 12.0), ("n/a", None),
])
def test_parse_number(text: str, expected: float | None) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("$27bn", [[(2.7e10, "USD")]]),
    ("$4.5 billion", [[(4.5e9, "USD")]]),
    ("€1.2bn", [[(1.2e9, "EUR")]]),
    ("US$10 billion", [[(1e10, "USD")]]),
    ("USD 5.5 Billion", [[(5.5e9, "USD")]]),
    ("£350m", [[(3.5e8, "GBP")]]),
    ("$11.9B", [[(1.19e10, "USD")]]),
    ("Rs 40,000 crore", [[(4e11, "INR")]]),
    ("1.2 trillion", [[(1.2e12, None)]]),
    ("100k", [[(1e5, None)]]),
])
def test_signs_codes_and_scales(text: str, expected: list[list[tuple[float, str | None]]]) -> None:
    assert values(text) == expected


def test_a_scale_letter_needs_money_except_thousands() -> None:
    assert values("a 5m mast") == [[(5.0, None)]]  # metres, not millions


def test_spelled_numbers_and_weak_words_before_a_scale_or_unit() -> None:
    assert values("half a million GPUs and a gigawatt") == [[(5e5, None)], [(1.0, None)]]
    assert values("a campus with a view") == []  # "a" is a number only before a scale or unit
    assert values("one and a half gigawatts") == [[(1.5, None)]]


def test_ranges_share_the_scale_and_currency_of_their_last_end() -> None:
    assert values("four to five million GPUs") == [[(4e6, None), (5e6, None)]]
    assert values("$91-$93 billion") == [[(9.1e10, "USD"), (9.3e10, "USD")]]
    assert values("$10-15 billion") == [[(1e10, "USD"), (1.5e10, "USD")]]
    assert values("from one to six gigawatts") == [[(1.0, None), (6.0, None)]]


def test_two_scaled_amounts_are_not_a_range() -> None:
    assert values("$5bn and $7bn") == [[(5e9, "USD")], [(7e9, "USD")]]


def test_codes_and_dates_inside_words_are_not_numbers() -> None:
    assert values("H100, MI300X and GB200") == []
    assert values("Out of these,10,000 GPUs") == [[(1e4, None)]]


def test_a_currency_code_must_be_written_in_capitals() -> None:
    assert values("try 5 times") == [[(5.0, None)]]
