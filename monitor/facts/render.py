"""Facts as people read them: "4.5 GW", "$30bn", "400,000 GPUs", one compact line a story."""

from __future__ import annotations

from monitor.model import Facts, Money

SIGNS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "KRW": "₩"}
_SCALES = ((1e12, "tn"), (1e9, "bn"), (1e6, "m"))


def power(mw: float) -> str:
    """"4.5 GW" from 4500.0, "750 MW" from 750.0."""
    if mw >= 1000:
        return f"{_short(mw / 1000)} GW"
    return f"{_short(mw)} MW"


def money(amount: Money) -> str:
    """"$30bn", "€200bn", "$350m", "SAR 10bn"."""
    sign = SIGNS.get(amount.currency)
    figure = next((f"{_short(amount.amount / size)}{word}" for size, word in _SCALES
                   if amount.amount >= size), f"{amount.amount:,.0f}")
    return f"{sign}{figure}" if sign else f"{amount.currency} {figure}"


def count(gpus: int) -> str:
    return f"{gpus:,} GPUs"


def _short(value: float) -> str:
    """At most one decimal, none when whole: 4.5, 30, 1.2."""
    rounded = round(value, 1)
    return f"{rounded:,.0f}" if rounded == int(rounded) else f"{rounded:,.1f}"


def fact_line(facts: Facts) -> str:
    """The key figures on one line: the largest capacity, amount (per currency) and GPU
    count, where, and the stage; "" when the article states none of them."""
    parts: list[str] = []
    if facts.power_mw:
        parts.append(power(max(facts.power_mw)))
    largest: dict[str, Money] = {}
    for amount in facts.investment:
        if amount.amount > largest.get(amount.currency, Money(0.0, "")).amount:
            largest[amount.currency] = amount
    parts += [money(m) for m in largest.values()]
    if facts.gpus:
        parts.append(count(max(facts.gpus)))
    if facts.places:
        parts.append(", ".join(facts.places[:3]))
    if facts.status:
        parts.append(facts.status)
    return " · ".join(parts)


def fact_rows(facts: Facts) -> list[tuple[str, str]]:
    """(field, every value) for a terminal; "-" where the text states none."""
    def listed(values: list[str]) -> str:
        return ", ".join(values) or "-"

    return [
        ("power", listed([power(v) for v in facts.power_mw])),
        ("investment", listed([money(m) for m in facts.investment])),
        ("gpus", listed([f"{n:,}" for n in facts.gpus])),
        ("chips", listed(list(facts.chips))),
        ("companies", listed(list(facts.companies))),
        ("places", listed(list(facts.places))),
        ("status", facts.status or "-"),
    ]
