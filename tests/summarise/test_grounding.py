"""The check that an LLM summary states no number or name the article lacks."""

from __future__ import annotations

import pytest

from monitor.summarise.grounding import unsupported

SOURCE = (
    "Northwind Compute Inc. said on Tuesday it would spend $4.5 billion on three new "
    "data centres in the U.S., adding 1,200 jobs and 1.2 GW of capacity by 2028. "
    "European regulators and OpenAI's partners welcomed the plan."
)


@pytest.mark.parametrize(
    "answer",
    [
        "Northwind Compute will spend $4.5 billion on three data centres in the U.S.",
        "Northwind plans 3 data centres with 1200 jobs and 1.2GW by 2028.",
        "The Northwind-backed plan was welcomed by Europe's regulators.",
        "OpenAI partners welcomed it. However, it adds 1,200 jobs.",
        "It will spend 4.50 billion dollars.",
    ],
)
def test_supported(answer: str) -> None:
    assert unsupported(answer, SOURCE) == []


@pytest.mark.parametrize(
    ("answer", "missing"),
    [
        ("Northwind will spend $5 billion.", ["5"]),
        ("Intel will build the sites.", ["Intel"]),
        ("Northwind adds 1,300 jobs in Texas by 2029.", ["1,300", "2029", "Texas"]),
        ("Nvidia-backed Northwind grows.", ["Nvidia"]),
    ],
)
def test_unsupported(answer: str, missing: list[str]) -> None:
    assert unsupported(answer, SOURCE) == missing


def test_lower_cased_source() -> None:
    source = "the bank of england raised rates to 4.5% in march."
    assert unsupported("The Bank of England raised rates to 4.5% in March.", source) == []
    assert unsupported("The Federal Reserve raised rates.", source) == ["Federal", "Reserve"]
