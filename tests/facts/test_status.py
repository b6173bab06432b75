from __future__ import annotations

import pytest

from monitor.facts.status import status
from tests.facts.conftest import parts


@pytest.mark.parametrize(("text", "expected"), [
    ("OpenAI plans a 1 GW campus in Norway.", "announced"),
    ("The EU unveiled a €200 billion programme for AI gigafactories.", "announced"),
    ("Meta and Blue Owl closed $27 billion of financing for the Hyperion data center.",
     "financed"),
    ("The developer secured a $2.3bn loan for the campus.", "financed"),
    ("Google began construction of its AI data center in India.", "under construction"),
    ("Humain broke ground on its first data centers.", "under construction"),
    ("The Abilene campus is under construction.", "under construction"),
    ("xAI switched on Colossus in Memphis.", "operational"),
    ("The supercomputer is now operational.", "operational"),
    ("JUPITER, Europe's exascale supercomputer, was launched on 5 September.", "operational"),
    ("Germany inaugurated JUPITER.", "operational"),
    ("Microsoft has scrapped its plans for the Caerphilly data centre.", "cancelled"),
    ("The data center project was cancelled after protests.", "cancelled"),
])
def test_stage(text: str, expected: str) -> None:
    assert status(parts(text)) == expected


@pytest.mark.parametrize("text", [
    "Soon, construction will begin on a 2.2 million-square-foot data center.",
    "The campus is expected to be operational in 2027.",
    "The facility will be switched on next year.",
    "Construction starts in 2027 on the planned campus.",
])
def test_a_stage_to_come_is_a_plan(text: str) -> None:
    assert status(parts(text)) == "announced"


def test_the_furthest_stage_wins() -> None:
    text = ("Microsoft announced a second Fairwater site. The first began operating in "
            "January and the second broke ground this week.")
    assert status(parts(text)) == "operational"


@pytest.mark.parametrize("text", [
    "Nvidia shares fell 3% on Tuesday.",
    "Revenue hit $46.7 billion as the market grew.",
    "",
])
def test_no_project_no_stage(text: str) -> None:
    assert status(parts(text)) is None


def test_adjectives_are_not_cancellations() -> None:
    assert status(parts("A hub rises from abandoned industrial dreams.")) is None


@pytest.mark.parametrize("text", [
    "CoreWeave has completed its acquisition of Core Scientific.",
    "Prices have risen since the inauguration of President Trump.",
    "Trump opens door for Nvidia to sell H200 chips to China.",
])
def test_words_of_a_stage_about_something_else(text: str) -> None:
    assert status(parts(text)) in (None, "announced")
