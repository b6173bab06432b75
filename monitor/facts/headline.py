"""A story's headline figures: the first capacity, amount per currency and GPU count it states.

Facts keep the order of first mention, the lead article's title first, so the first figure
of each kind is the one the news is about; later ones are most often context: a campus's
first phase, a company's yearly capex, the running total of earlier deals. A digest line
shows these, and the week's totals add them up, so a "$14bn deal" that mentions "$36bn
contracted this week" counts $14bn.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.model import Facts, Money


@dataclass(frozen=True, slots=True)
class Headline:
    power_mw: float | None
    money: tuple[Money, ...]  # the first amount in each currency, in order of mention
    gpus: int | None


def headline(facts: Facts) -> Headline:
    """The first capacity, the first amount in each currency and the first GPU count."""
    money: dict[str, Money] = {}
    for amount in facts.investment:
        money.setdefault(amount.currency, amount)
    return Headline(power_mw=facts.power_mw[0] if facts.power_mw else None,
                    money=tuple(money.values()),
                    gpus=facts.gpus[0] if facts.gpus else None)
