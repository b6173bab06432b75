"""Facts a language model proposes, kept only where the article's own text states them.

The model answers with one JSON object in the Facts shape. Every number it proposes must
be a figure the text writes (a power figure, an amount in the same currency, a count,
each within 1 %), and every name must appear in the text as whole words; anything else is
dropped and counted in the note. What survives is added to the rule-based facts, which
stay the base: a model can add what the rules missed, never replace what they found. Its
status, one of five fixed words, is taken when it gives one.

The chat itself is a callable (the project's OpenAI-compatible client at the edge), so
this module stays pure; a failed call or an unusable answer leaves the rule-based facts
and a note saying why.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from monitor.errors import FactsError, MonitorError
from monitor.facts import render
from monitor.facts.extract import MAX_CHARS, extract_facts
from monitor.facts.merge import merge_facts
from monitor.facts.money import amounts
from monitor.facts.names import short_name
from monitor.facts.power import power_mw
from monitor.facts.text import sentences
from monitor.model import FACT_STATUSES, Facts, Money

Chat = Callable[[list[dict[str, str]]], str]  # messages -> the model's reply; MonitorError
SYSTEM_PROMPT = (
    "You read news about AI infrastructure (data centres, GPUs, AI chips, supercomputers, "
    "the power and money behind them) and list the facts the article states, using only "
    "its text. Reply with one JSON object and nothing else, with these keys: "
    '"power_mw": capacities of sites, campuses or clusters in megawatts (1 GW = 1000); '
    '"investment": [{"amount": number, "currency": ISO code}] for money committed to build, '
    "buy, lease, finance or fund compute or its power (never revenue, earnings, market "
    'value, valuations or share prices); "gpus": counts of GPUs, accelerators or AI chips; '
    '"chips": accelerator models named, as written (e.g. "H100", "Blackwell"); '
    '"companies": organisations that build, fund, supply, own or operate it, shortest '
    'common name; "places": where the site or programme is, as written; "status": one of '
    '"announced", "financed", "under construction", "operational", "cancelled", or null. '
    "Amounts are plain numbers: $27bn is 27000000000. Use empty lists for what is not stated."
)
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Proposal:
    """What survived the grounding check, and how many proposed values did not."""

    facts: Facts
    dropped: tuple[str, ...] = ()


def build_messages(title: str, text: str) -> list[dict[str, str]]:
    body = text[:MAX_CHARS]
    article = f"Title: {title.strip()}\n\n{body.strip()}" if title.strip() else body.strip()
    return [{"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": f"Article:\n{article}"}]


def cache_key(model: str, messages: Sequence[dict[str, str]]) -> str:
    digest = hashlib.sha256(f"facts\x00{model}".encode())
    for message in messages:
        digest.update(f"\x00{message['role']}\x00{message['content']}".encode())
    return digest.hexdigest()


def parse_proposal(answer: str) -> Facts:
    """The model's JSON as Facts (values of the wrong type skipped); FactsError if none."""
    text = _FENCE.sub("", _THINK.sub("", answer).strip()).strip()
    start, end = text.find("{"), text.rfind("}")
    try:
        data = json.loads(text[start:end + 1]) if start >= 0 < end else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise FactsError("the LLM answer was not a JSON object of facts")
    status = data.get("status")
    return Facts(
        power_mw=tuple(_numbers(data.get("power_mw"))),
        investment=tuple(_money(data.get("investment"))),
        gpus=tuple(int(n) for n in _numbers(data.get("gpus")) if n == int(n)),
        chips=tuple(_strings(data.get("chips"))),
        companies=tuple(_strings(data.get("companies"))),
        places=tuple(_strings(data.get("places"))),
        status=status if status in FACT_STATUSES else None,
    )


def _numbers(value: Any) -> list[float]:
    items = value if isinstance(value, list) else []
    return [float(v) for v in items if _finite(v) and v > 0]


def _money(value: Any) -> list[Money]:
    items = value if isinstance(value, list) else []
    return [Money(float(m["amount"]), m["currency"].strip().upper()) for m in items
            if isinstance(m, dict) and _finite(m.get("amount")) and m["amount"] > 0
            and isinstance(m.get("currency"), str)]


def _finite(value: Any) -> bool:
    """A real number: not a bool, not NaN or infinite ("Infinity" is valid to json.loads)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and \
        math.isfinite(value)


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else []
    return [" ".join(v.split()) for v in items if isinstance(v, str) and v.strip()]


def ground(proposed: Facts, title: str, text: str) -> Proposal:
    """Only what the title and text state: figures written there, names found there."""
    parts = sentences(title, text[:MAX_CHARS])
    flat = " ".join(s.text for s in parts)
    stated_power = power_mw(parts, sites_only=False)
    stated_money = [(a.amount, a.currency) for s in parts for a in amounts(s.text, s.numbers)]
    stated_counts = [q.value for s in parts for g in s.numbers for q in g.items]
    dropped: list[str] = []

    def keep(values: Sequence[Any], stated: Callable[[Any], bool],
             shown: Callable[[Any], str] = str) -> tuple[Any, ...]:
        kept = tuple(v for v in values if stated(v))
        dropped.extend(shown(v) for v in values if v not in kept)
        return kept

    facts = Facts(
        power_mw=keep(proposed.power_mw, lambda v: _near(v, stated_power), render.power),
        investment=keep(proposed.investment, lambda m: any(
            c == m.currency and _close(a, m.amount) for a, c in stated_money), render.money),
        gpus=keep(proposed.gpus, lambda v: _near(v, stated_counts), render.count),
        chips=keep(proposed.chips, lambda name: _written(name, flat)),
        companies=keep(proposed.companies, lambda name: _written(short_name(name), flat)),
        places=keep(proposed.places, lambda name: _written(name, flat)),
        status=proposed.status,
    )
    return Proposal(facts, tuple(dropped))


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 0.01 * max(abs(a), abs(b))


def _near(value: float, stated: Sequence[float]) -> bool:
    return any(_close(value, s) for s in stated)


def _written(name: str, text: str) -> bool:
    """The name appears whole in the text, case, spaces, dots and hyphens aside
    ("EuroHPC" in "Euro HPC", "US" in "U.S.")."""
    letters = [c for c in name if c.isalnum()]
    if not letters:
        return False
    pattern = r"(?<![^\W_])" + r"[\s.\-]?".join(re.escape(c) for c in letters) + r"(?![^\W_])"
    return re.search(pattern, text, re.IGNORECASE) is not None


def combine(rules: Facts, proposal: Facts) -> Facts:
    """The rule-based facts plus what the model adds; the model's status when it has one."""
    merged = merge_facts([rules, proposal])
    return Facts(merged.power_mw, merged.investment, merged.gpus, merged.chips,
                 merged.companies, merged.places, proposal.status or rules.status)


class LLMFactFinder:
    """Rule-based facts, plus what a chat model proposes and the text bears out."""

    def __init__(self, chat: Chat, model: str,
                 cache: MutableMapping[str, str] | None = None) -> None:
        self._chat = chat
        self._model = model
        self._cache: MutableMapping[str, str] = {} if cache is None else cache

    def facts(self, title: str, text: str) -> tuple[Facts, str | None]:
        """(facts, note): the note says why the model's facts were not used, or what was
        dropped, and is None when everything it proposed was kept."""
        rules = extract_facts(title, text)
        messages = build_messages(title, text)
        key = cache_key(self._model, messages)
        try:
            answer = self._cache.get(key)
            proposed = parse_proposal(self._chat(messages) if answer is None else answer)
        except MonitorError as err:
            return rules, f"LLM facts not used: {err}."
        if answer is None:
            self._cache[key] = json.dumps(proposed.to_json())
        grounded = ground(proposed, title, text)
        note = None
        if grounded.dropped:
            shown = ", ".join(grounded.dropped[:3])
            note = (f"LLM facts: {len(grounded.dropped)} proposed value(s) the article does "
                    f"not state were dropped ({shown}).")
        return combine(rules, grounded.facts), note

