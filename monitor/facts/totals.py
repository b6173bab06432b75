"""The week in figures: stories folded into projects, totals by stage, the largest projects.

Pure: stories in (already grouped, so one event told by several outlets is one story with
its articles' facts merged), a `Tracker` out. Two stories are one project when they state
the same figure (a capacity, an amount in one currency, or a GPU count, within 1 %) and
share a company or a place: a follow-up ("construction starts on the 1 GW campus") repeats
the figure of the announcement, and must not add it again. A project counts once, under
its furthest stage, at its headline figure of each kind (`facts.headline`: the first it
states, its first story's title first): "$10bn, of which $3bn this year" is $10bn, not $13bn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TypeVar

from monitor.facts.headline import headline
from monitor.facts.merge import close, merge_facts, same_money, same_place, story_facts
from monitor.facts.names import same_name
from monitor.model import FACT_STATUSES, Facts, FactStatus, Money, Project, Story, Totals, Tracker

LARGEST = 5  # projects listed under "largest"
T = TypeVar("T")


def build_tracker(stories: Sequence[Story], *, since: datetime, until: datetime,
                  largest: int = LARGEST) -> Tracker:
    """The week's totals by stage and its largest projects, from the week's stories."""
    found = [p for p in projects(stories) if counted(p.facts)]
    return Tracker(since=since, until=until, stories=len(stories), totals=totals(found),
                   largest=tuple(biggest(found, largest)))


def projects(stories: Sequence[Story]) -> list[Project]:
    """The stories folded into projects, in the order of each project's first story."""
    ordered = sorted(stories, key=_first_told)
    facts = [story_facts(s) for s in ordered]
    parent = list(range(len(ordered)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(ordered)):
        for j in range(i):
            if root(i) != root(j) and same_project(facts[i], facts[j]):
                parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(ordered)):
        groups.setdefault(root(i), []).append(i)
    return [_project(ordered[members[0]], [facts[m] for m in members])
            for members in groups.values()]


def _first_told(story: Story) -> tuple[float, str]:
    times = [i.article.published.timestamp() for i in story.items if i.article.published]
    return (min(times) if times else float("inf"), story.id)


def _project(first: Story, facts: list[Facts]) -> Project:
    article = first.lead.article
    return Project(title=article.title, url=article.url, facts=merge_facts(facts),
                   stories=len(facts))


def same_project(a: Facts, b: Facts) -> bool:
    """Whether two stories report one project: a figure in common, and a company or a place."""
    figure = (_shared(a.power_mw, b.power_mw, close) or _shared(a.gpus, b.gpus, close)
              or _shared(a.investment, b.investment, same_money))
    return figure and (_shared(a.companies, b.companies, same_name)
                       or _shared(a.places, b.places, same_place))


def _shared(mine: Sequence[T], theirs: Sequence[T], same: Callable[[T, T], bool]) -> bool:
    return any(same(x, y) for x in mine for y in theirs)


def counted(facts: Facts) -> bool:
    """A project the tracker adds up: it states a capacity, an amount or a GPU count (a
    place and a stage alone are as often a policy or a market story as a site)."""
    return bool(facts.power_mw or facts.investment or facts.gpus)


def totals(found: Iterable[Project]) -> tuple[Totals, ...]:
    """One `Totals` per stage that has projects, in stage order, the projects with no stage last."""
    by_status: dict[FactStatus | None, list[Facts]] = {}
    for project in found:
        by_status.setdefault(project.facts.status, []).append(project.facts)
    order: list[FactStatus | None] = [*FACT_STATUSES, None]
    return tuple(_add_up(status, by_status[status]) for status in order if status in by_status)


def _add_up(status: FactStatus | None, many: Sequence[Facts]) -> Totals:
    tops = [headline(f) for f in many]
    money: dict[str, float] = {}
    for top in tops:
        for amount in top.money:
            money[amount.currency] = money.get(amount.currency, 0.0) + amount.amount
    return Totals(
        status=status,
        projects=len(many),
        sites=sum(1 for f in many if f.power_mw or f.places),
        power_mw=sum(top.power_mw or 0.0 for top in tops),
        money=tuple(Money(amount, currency) for currency, amount
                    in sorted(money.items(), key=lambda pair: (-pair[1], pair[0]))),
        gpus=sum(top.gpus or 0 for top in tops),
    )


def biggest(found: Sequence[Project], limit: int) -> list[Project]:
    """The largest projects, by their largest headline figure of any kind (`size`)."""
    ranked = sorted(found, key=lambda p: (-size(p.facts), p.title))
    return [p for p in ranked if size(p.facts) > 0][:limit]


def size(facts: Facts) -> float:
    """How large a project is, in "large projects": 1 GW, $10bn and 100,000 GPUs each count
    as one, so that a campus, a deal and a cluster can be put in one order.

    Amounts in other currencies are compared at rough rates (ordering only; no total is
    ever converted); one in a currency without a rate here does not rank by its money.
    """
    top = headline(facts)
    sizes = [(top.power_mw or 0.0) / LARGE_MW, (top.gpus or 0) / LARGE_GPUS]
    sizes += [m.amount * ROUGH_USD[m.currency] / LARGE_USD for m in top.money
              if m.currency in ROUGH_USD]
    return max(sizes)


LARGE_MW, LARGE_GPUS, LARGE_USD = 1000.0, 100_000, 1e10
# US dollars per unit, roughly: enough to tell a €200bn fund from a ₹10,000 crore plan.
ROUGH_USD = {"USD": 1.0, "EUR": 1.1, "GBP": 1.3, "CHF": 1.1, "JPY": 0.0067, "CNY": 0.14,
             "INR": 0.012, "KRW": 0.00072, "AUD": 0.65, "CAD": 0.72, "SGD": 0.75,
             "HKD": 0.13, "TWD": 0.031, "AED": 0.27, "SAR": 0.27, "QAR": 0.27, "SEK": 0.095,
             "NOK": 0.093, "DKK": 0.15, "BRL": 0.18, "MXN": 0.055, "PLN": 0.25, "MYR": 0.22}
