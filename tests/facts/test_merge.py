from __future__ import annotations

from monitor.facts.merge import furthest, merge_facts
from monitor.model import Facts, Money


def test_a_story_s_facts_are_the_union_in_order_with_the_furthest_status() -> None:
    lead = Facts(power_mw=(1200.0,), investment=(Money(1.5e10, "USD"),),
                 companies=("OpenAI", "Oracle"), places=("Abilene", "Texas"), status="announced")
    later = Facts(power_mw=(1205.0, 4500.0), investment=(Money(1.5e10, "USD"),
                                                         Money(1.5e10, "EUR")),
                  gpus=(400000,), chips=("GB200",), companies=("Oracle Corp.", "Crusoe"),
                  places=("Texas", "Republic of Ireland", "Ireland"),
                  status="under construction")
    merged = merge_facts([lead, later])
    assert merged == Facts(
        power_mw=(1200.0, 4500.0),  # 1,205 MW is within 1 % of 1,200
        investment=(Money(1.5e10, "USD"), Money(1.5e10, "EUR")),
        gpus=(400000,), chips=("GB200",), companies=("OpenAI", "Oracle", "Crusoe"),
        places=("Abilene", "Texas", "Republic of Ireland", "Ireland"),
        status="under construction")


def test_furthest_status() -> None:
    assert furthest(["announced", None, "operational", "financed"]) == "operational"
    assert furthest(["operational", "cancelled"]) == "cancelled"
    assert furthest([None, None]) is None and merge_facts([]) == Facts()
