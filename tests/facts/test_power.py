from __future__ import annotations

import pytest

from monitor.facts.power import power_mw
from tests.facts.conftest import parts


@pytest.mark.parametrize(("text", "expected"), [
    ("a 1.2 GW campus", [1200.0]),
    ("its 750 MW site", [750.0]),
    ("a 200-megawatt first phase", [200.0]),
    ("the 1-Gigawatt cluster", [1000.0]),
    ("more than a gigawatt of capacity", [1000.0]),
    ("up to six gigawatts of GPUs", [6000.0]),
    ("10GW of data centres", [10000.0]),
    ("grows from one to six gigawatts", [1000.0, 6000.0]),
    ("1,500 megawatts", [1500.0]),
    ("a 5,000 kW hall", [5.0]),
])
def test_capacity_in_megawatts(text: str, expected: list[float]) -> None:
    assert power_mw(parts(text)) == expected


@pytest.mark.parametrize("text", [
    "the centres used 5,200 gigawatt hours (GWh) in 2022",
    "it stores 1,100 MWh in batteries",
    "racks of 130 kW each",
    "up to 600 kW per rack",
    "a gigawatt-scale AI hub",
    "GE Vernova's order book has swelled to about 100 gigawatts",
    "the company has sold 20 GW of turbines worldwide",
    "power use rose 15% last year",
])
def test_energy_ratings_and_markets_are_not_site_capacity(text: str) -> None:
    assert power_mw(parts(text)) == []


def test_repeats_within_one_percent_are_one_value() -> None:
    text = "OpenAI plans a 1 GW site. The one-gigawatt site and a 1,000 MW twin."
    assert power_mw(parts(text, title="A 1GW campus")) == [1000.0]


def test_every_figure_when_not_only_sites() -> None:
    text = "GE Vernova's order book has swelled to about 100 gigawatts."
    assert power_mw(parts(text), sites_only=False) == [100000.0]


def test_a_grid_s_demand_is_not_a_site() -> None:
    text = "Total forecasted power demand is expected to surpass 79 gigawatts on Monday."
    assert power_mw(parts(text)) == []
