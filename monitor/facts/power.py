"""Electrical capacity of a compute site in MW: "1.2 GW", "a gigawatt", "200-megawatt".

Energy (MWh, "gigawatt hours") is not capacity and is skipped, as are figures that
measure a market rather than a site: an order book, a backlog, a nation's demand.
Rack and chip ratings in kW are skipped too; a site is sized in MW or GW.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from monitor.facts.numbers import Group
from monitor.facts.text import Sentence

_UNIT = re.compile(
    r"[\s-]{0,2}(?P<unit>gigawatts?|megawatts?|kilowatts?|GWe?|MWe?|kW)(?![\w])"
    r"(?![\s-]{0,2}(?:hours?|h)\b)(?P<per>\s+(?:per|a|an|each)\s+(?:rack|server|chip|GPU|node)s?\b)?",
    re.IGNORECASE,
)
_FACTOR = {"g": 1000.0, "m": 1.0, "k": 0.001}
# A figure near these measures a market, a fleet or a country, not one site.
_MARKET = re.compile(
    r"\b(?:order (?:book|backlog)|backlog|orders? for|pipeline of|sold|shipped|worldwide|"
    r"nationwide|globally|national (?:grid|demand)|demand|peak load|"
    r"interconnection queue|installed base)\b",
    re.IGNORECASE,
)
_VAGUE = re.compile(r"-(?:scale|class|level|size|sized)\b", re.IGNORECASE)
_WINDOW = 80  # characters before a figure in which a market cue counts


def power_mw(sentences: Sequence[Sentence], *, sites_only: bool = True) -> list[float]:
    """Every site capacity stated, in MW, in order of first mention, without repeats
    (every power figure at all, market or not, when not `sites_only`)."""
    out: list[float] = []
    for sentence in sentences:
        for group in sentence.numbers:
            for value in _megawatts(sentence.text, group, sites_only):
                if value > 0 and not any(abs(value - v) <= 0.01 * v for v in out):
                    out.append(value)
    return out


def _megawatts(text: str, group: Group, sites_only: bool) -> list[float]:
    unit = _UNIT.match(text, group.end)
    if unit is None or unit.group("per") or group.currency:
        return []
    if sites_only and _MARKET.search(text, max(0, group.start - _WINDOW), group.start):
        return []
    if _VAGUE.match(text, unit.end()) and text[group.start:group.end].lower() in ("a", "an"):
        return []  # "a gigawatt-scale campus" gives an order of size, not a figure
    factor = _FACTOR[unit.group("unit")[0].lower()]
    values = [q.value * factor for q in group.items]
    if factor < 1 and any(v < 1 for v in values):
        return []  # kW ratings of racks and chips, not a site's capacity
    return [round(v, 6) for v in values]
