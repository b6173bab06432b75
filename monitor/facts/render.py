"""Facts as people read them: "4.5 GW", "$30bn", "400,000 GPUs", one compact line a story,
a week's totals, and plain cells for a spreadsheet."""

from __future__ import annotations

from datetime import tzinfo

from monitor.facts.headline import headline
from monitor.model import Facts, Money, Totals, Tracker
from monitor.wording import plural, short_day

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
    """The key figures on one line: the headline capacity, amount (per currency) and GPU
    count (`headline`), where, and the stage; "" when the article states none of them."""
    top = headline(facts)
    parts: list[str] = []
    if top.power_mw is not None:
        parts.append(power(top.power_mw))
    parts += [money(m) for m in top.money]
    if top.gpus is not None:
        parts.append(count(top.gpus))
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


def key_figures(facts: Facts) -> str:
    """The line a digest shows for a story: `fact_line`, or "" when the story states no
    figure and no place (a stage alone says little)."""
    if not (facts.power_mw or facts.investment or facts.gpus or facts.places):
        return ""
    return fact_line(facts)


NO_STAGE = "no stage stated"


def totals_line(totals: Totals) -> str:
    """"announced: 4 projects, 3 sites · 6.2 GW · $45bn · €2bn · 150,000 GPUs"."""
    return f"{stage(totals)}: {totals_figures(totals)}"


def stage(totals: Totals) -> str:
    return totals.status or NO_STAGE


def totals_figures(totals: Totals) -> str:
    """"4 projects, 3 sites · 6.2 GW · $45bn · €2bn · 150,000 GPUs"."""
    head = plural(totals.projects, "project")
    if totals.sites:
        head += f", {plural(totals.sites, 'site')}"
    parts = [head]
    if totals.power_mw:
        parts.append(power(totals.power_mw))
    parts += [money(m) for m in totals.money]
    if totals.gpus:
        parts.append(count(totals.gpus))
    return " · ".join(parts)


def tracker_title(tracker: Tracker, tz: tzinfo) -> str:
    """"This week in figures · Fri 27 Nov – Fri 4 Dec"."""
    return f"This week in figures · {short_day(tracker.since, tz)} – {short_day(tracker.until, tz)}"


def tracker_note(tracker: Tracker) -> str:
    """What the totals count, in one line."""
    counted = sum(t.projects for t in tracker.totals)
    stories = plural(tracker.stories, "story", "stories")
    if not counted:
        return f"No capacity, money or GPU figures in {stories} this week."
    return f"{plural(counted, 'project')} from {stories}; each project counted once, at its " \
        "headline figures, under its furthest stage."


def plain_number(value: float) -> str:
    """A number for a spreadsheet: "27000000000", "1200", "1.5" (no exponent, no separator)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def csv_cells(facts: Facts) -> dict[str, str]:
    """One cell per field: lists joined with "; ", money as "USD 27000000000"."""
    return {
        "power_mw": "; ".join(plain_number(v) for v in facts.power_mw),
        "investment": "; ".join(f"{m.currency} {plain_number(m.amount)}"
                                for m in facts.investment),
        "gpus": "; ".join(str(n) for n in facts.gpus),
        "chips": "; ".join(facts.chips),
        "companies": "; ".join(facts.companies),
        "places": "; ".join(facts.places),
        "status": facts.status or "",
    }
