from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from monitor.facts.render import (
    count,
    csv_cells,
    fact_line,
    fact_rows,
    key_figures,
    money,
    plain_number,
    power,
    totals_line,
    tracker_note,
    tracker_title,
)
from monitor.model import Facts, Money, Totals, Tracker


def test_figures_as_people_write_them() -> None:
    assert [power(4500.0), power(1200.0), power(750.0), power(1000.0)] == \
        ["4.5 GW", "1.2 GW", "750 MW", "1 GW"]
    assert [money(Money(3e10, "USD")), money(Money(2e11, "EUR")), money(Money(3.5e8, "GBP")),
            money(Money(1e10, "SAR")), money(Money(1.2e12, "USD"))] == \
        ["$30bn", "€200bn", "£350m", "SAR 10bn", "$1.2tn"]
    assert count(400000) == "400,000 GPUs"


def test_one_line_of_key_figures() -> None:
    facts = Facts(power_mw=(1200.0, 4500.0), investment=(Money(3e10, "USD"), Money(1e9, "USD")),
                  gpus=(400000,), companies=("OpenAI",), places=("Abilene", "Texas"),
                  status="under construction")
    # the headline: the first figure of each kind (a later 4.5 GW is the wider programme)
    assert fact_line(facts) == \
        "1.2 GW · $30bn · 400,000 GPUs · Abilene, Texas · under construction"
    assert fact_line(Facts(investment=(Money(1e9, "USD"), Money(2e9, "EUR"),
                                       Money(3e10, "USD")))) == "$1bn · €2bn"
    assert fact_line(Facts(companies=("OpenAI",))) == ""


def test_rows_for_a_terminal() -> None:
    rows = dict(fact_rows(Facts(gpus=(1700,), chips=("H20",))))
    assert rows["gpus"] == "1,700" and rows["chips"] == "H20" and rows["status"] == "-"


def test_key_figures_need_a_figure_or_a_place() -> None:
    assert key_figures(Facts(status="announced", companies=("Nvidia",))) == ""
    assert key_figures(Facts(places=("Finland",), status="announced")) == "Finland · announced"
    assert key_figures(Facts(gpus=(18000,))) == "18,000 GPUs"


def test_a_stage_s_totals_on_one_line() -> None:
    totals = Totals("announced", projects=4, sites=3, power_mw=6200.0,
                    money=(Money(4.5e10, "USD"), Money(2e9, "EUR")), gpus=150000)
    assert totals_line(totals) == \
        "announced: 4 projects, 3 sites · 6.2 GW · $45bn · €2bn · 150,000 GPUs"
    assert totals_line(Totals(None, projects=1, sites=0, gpus=18000)) == \
        "no stage stated: 1 project · 18,000 GPUs"


def test_cells_for_a_spreadsheet() -> None:
    facts = Facts(power_mw=(5000.0, 1.5), investment=(Money(2.7e10, "USD"), Money(1.5e9, "EUR")),
                  gpus=(400000,), chips=("GB200", "H100"), companies=("Meta", "Blue Owl"),
                  places=("Richland Parish", "Louisiana"), status="financed")
    assert csv_cells(facts) == {
        "power_mw": "5000; 1.5", "investment": "USD 27000000000; EUR 1500000000",
        "gpus": "400000", "chips": "GB200; H100", "companies": "Meta; Blue Owl",
        "places": "Richland Parish; Louisiana", "status": "financed"}
    assert set(csv_cells(Facts()).values()) == {""}
    assert plain_number(1e15) == "1000000000000000" and plain_number(0.25) == "0.25"


def test_the_tracker_s_title_and_note() -> None:
    since = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    tracker = Tracker(since, since + timedelta(days=7), stories=12,
                      totals=(Totals("announced", 2, 1), Totals("operational", 1, 1)), largest=())
    assert tracker_title(tracker, ZoneInfo("Europe/Brussels")) == \
        "This week in figures · Mon 30 Nov – Mon 7 Dec"
    assert tracker_note(tracker).startswith("3 projects from 12 stories; each project counted")
    empty = Tracker(since, since, stories=1, totals=(), largest=())
    assert tracker_note(empty) == "No capacity, money or GPU figures in 1 story this week."
