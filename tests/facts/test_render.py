from __future__ import annotations

from monitor.facts.render import count, fact_line, fact_rows, money, power
from monitor.model import Facts, Money


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
    assert fact_line(facts) == \
        "4.5 GW · $30bn · 400,000 GPUs · Abilene, Texas · under construction"
    assert fact_line(Facts(companies=("OpenAI",))) == ""


def test_rows_for_a_terminal() -> None:
    rows = dict(fact_rows(Facts(gpus=(1700,), chips=("H20",))))
    assert rows["gpus"] == "1,700" and rows["chips"] == "H20" and rows["status"] == "-"
