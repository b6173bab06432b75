"""One story's facts from its articles' facts: the union of what they state, the furthest stage.

Values keep the order in which the articles (lead first) state them; a number within 1 %
of one already kept, or a name the judge would call the same, is not repeated. The status
is the furthest any article reports (announced < financed < under construction <
operational < cancelled): a later "switched on" outranks the first "plans to build", and
a project scrapped stays scrapped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from monitor.facts.names import comparable, same_name
from monitor.model import FACT_STATUSES, Facts, FactStatus, Money, Story

T = TypeVar("T")


def merge_facts(many: Iterable[Facts]) -> Facts:
    """The union of several articles' facts, in order, with the furthest status."""
    items = list(many)
    return Facts(
        power_mw=tuple(_union((f.power_mw for f in items), close)),
        investment=tuple(_union((f.investment for f in items), same_money)),
        gpus=tuple(_union((f.gpus for f in items), close)),
        chips=tuple(_union((f.chips for f in items), same_name)),
        companies=tuple(_union((f.companies for f in items), same_name)),
        places=tuple(_union((f.places for f in items), same_place)),
        status=furthest(f.status for f in items),
    )


def story_facts(story: Story) -> Facts:
    """A story's facts: its articles' merged, the lead's first (articles not read add nothing)."""
    return merge_facts(item.facts for item in story.items if item.facts is not None)


def furthest(statuses: Iterable[FactStatus | None]) -> FactStatus | None:
    """The furthest stage among these, or None when none is given."""
    known = [s for s in statuses if s is not None]
    return max(known, key=FACT_STATUSES.index) if known else None


def _union(lists: Iterable[Sequence[T]], same: Callable[[T, T], bool]) -> list[T]:
    out: list[T] = []
    for values in lists:
        for value in values:
            if not any(same(value, kept) for kept in out):
                out.append(value)
    return out


def close(a: float, b: float) -> bool:
    """Within 1 % of each other: the same figure as two outlets round it."""
    return abs(a - b) <= 0.01 * max(abs(a), abs(b))


def same_money(a: Money, b: Money) -> bool:
    """The same amount (within 1 %) in the same currency."""
    return a.currency == b.currency and close(a.amount, b.amount)


def same_place(a: str, b: str) -> bool:
    """The same place written alike (case, dots, spaces and hyphens aside)."""
    # "Ireland" and "Republic of Ireland" are both kept, as an article states them.
    return comparable(a) == comparable(b)
