"""Benchmark the facts extractor against a naive regex extractor on the same articles, in one run.

Quality: per field, precision and recall of the values each extractor gives against the
hand labels of facts-dev.jsonl, scored as facts-guidelines.md says a judge scores: numbers
match within 1 % (money also needs the same currency); names match ignoring case, a
trailing Inc./Corp./Ltd./plc/AG/SA/LLC and "the", and spaces, hyphens and dots inside a
name, or when one is a whole-word part of the other. A predicted value is right when it
matches a label of its article; a label is found when a predicted value matches it.
Status is accuracy over the articles whose label is not null.

To show how far the figures are fitted to these items, the articles are also split by a
hash of their id: the first version was written reading all of them, and every change
after it was tuned on the even half only, so the odd half shows how those changes carry.

Speed: articles per second of CPU time on one core (the process is single-threaded), each
extractor over every article, best of 7 passes.

    python bench/facts.py
    python bench/facts.py --data ../shared/data/facts-dev.jsonl --errors companies
    python bench/facts.py --check    # exit 1 below the issue's targets
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.facts.extract import extract_facts  # noqa: E402
from monitor.facts.names import same_name  # noqa: E402

# ../shared beside the project (a worktree sits one level deeper, under wt/).
DEFAULT_DATA = next((p / "shared" / "data" / "facts-dev.jsonl" for p in ROOT.parents[:2]
                     if (p / "shared" / "data" / "facts-dev.jsonl").exists()),
                    ROOT.parent / "shared" / "data" / "facts-dev.jsonl")
FIELDS = ("power_mw", "investment", "gpus", "chips", "companies", "places")
TARGETS = {"power_mw": (0.95, 0.93), "investment": (0.92, 0.90), "gpus": (0.95, 0.85),
           "chips": (0.95, 0.95), "companies": (0.90, 0.85), "places": (0.85, 0.80),
           "status": (0.85, 0.0)}
TARGET_SPEED = 500.0
Row = dict[str, Any]
FactsJson = dict[str, Any]
Extractor = Callable[[str, str], FactsJson]


# The baseline: what a first regex pass gives (units, a currency sign and scale, a count
# before "GPUs", a model list, a list of big names, a list of countries and states).
_N_POWER = re.compile(r"(\d+(?:\.\d+)?)[\s-]*(GW|MW|gigawatts?|megawatts?)\b", re.I)
_N_MONEY = re.compile(r"([$€£])\s?(\d+(?:\.\d+)?)\s?(trillion|billion|million|bn|B|M)\b", re.I)
_N_GPUS = re.compile(r"\b(\d{1,3}(?:,\d{3})+|\d+)\s+(?:GPUs|graphics processing units|AI chips)\b")
_N_CHIPS = re.compile(r"\b(GB\d00|[HB]\d{2,3}|MI\d{3}X?|Blackwell|Hopper|Rubin|Gaudi \d|"
                      r"Trainium\d?|TPU v\d\w?)\b")
_N_COMPANIES = re.compile(
    r"\b(Nvidia|NVIDIA|Microsoft|OpenAI|AMD|Google|Amazon|AWS|Meta|Oracle|Intel|xAI|"
    r"Anthropic|CoreWeave|SoftBank|Broadcom|TSMC|Alphabet|Apple|BlackRock|Samsung|"
    r"SK Hynix|Tesla|IBM|Cisco|Dell|Arm)\b")
_N_PLACES = re.compile(
    r"\b(US|U\.S\.|United States|America|China|India|Europe|France|Germany|UK|Japan|"
    r"Taiwan|UAE|Saudi Arabia|Ireland|Spain|Italy|Canada|Texas|Wisconsin|Louisiana|"
    r"Georgia|Arizona|Ohio|Virginia|Indiana|Tennessee|Pennsylvania|Michigan|New Jersey|"
    r"South Carolina|Memphis|Atlanta|Abu Dhabi|Paris|London)\b")
_N_SCALE = {"trillion": 1e12, "billion": 1e9, "bn": 1e9, "b": 1e9, "million": 1e6,
            "m": 1e6, "": 1.0}
_N_CURRENCY = {"$": "USD", "€": "EUR", "£": "GBP"}


def naive(title: str, text: str) -> FactsJson:
    """The regex baseline the issue describes; status is always "announced"."""
    doc = f"{title}\n{text}"
    power = [float(n) * (1000 if u.lower().startswith("g") else 1)
             for n, u in _N_POWER.findall(doc)]
    money = _distinct([(float(n) * _N_SCALE[s.lower()], _N_CURRENCY[c])
                       for c, n, s in _N_MONEY.findall(doc)])
    return {"power_mw": _distinct(power),
            "investment": [{"amount": a, "currency": c} for a, c in money],
            "gpus": _distinct([float(n.replace(",", "")) for n in _N_GPUS.findall(doc)]),
            "chips": _distinct(_N_CHIPS.findall(doc)),
            "companies": _distinct(_N_COMPANIES.findall(doc)),
            "places": _distinct(_N_PLACES.findall(doc)), "status": "announced"}


def _distinct(values: Sequence[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def ours(title: str, text: str) -> FactsJson:
    return extract_facts(title, text).to_json()


# Scoring, as the guidelines describe the judge.
def _same_number(a: float, b: float) -> bool:
    return abs(a - b) <= 0.01 * max(abs(a), abs(b))


def _same_money(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(a["currency"] == b["currency"] and _same_number(a["amount"], b["amount"]))


MATCHERS: dict[str, Callable[[Any, Any], bool]] = {
    "power_mw": _same_number, "gpus": _same_number, "investment": _same_money,
    "chips": same_name, "companies": same_name, "places": same_name,
}


@dataclass(frozen=True)
class Score:
    right: int       # predicted values that match a label
    predicted: int
    found: int       # labels that a predicted value matches
    labelled: int

    @property
    def precision(self) -> float:
        return self.right / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else 1.0


def score(rows: Sequence[Row], predictions: Sequence[FactsJson], field: str) -> Score:
    same = MATCHERS[field]
    right = predicted = found = labelled = 0
    for row, prediction in zip(rows, predictions, strict=True):
        gold, guess = row["facts"][field], prediction[field]
        predicted += len(guess)
        labelled += len(gold)
        right += sum(any(same(g, label) for label in gold) for g in guess)
        found += sum(any(same(g, label) for g in guess) for label in gold)
    return Score(right, predicted, found, labelled)


def status_accuracy(rows: Sequence[Row], predictions: Sequence[FactsJson]) -> tuple[float, int]:
    scored = [(r["facts"]["status"], p["status"]) for r, p in zip(rows, predictions, strict=True)
              if r["facts"]["status"] is not None]
    right = sum(gold == guess for gold, guess in scored)
    return (right / len(scored) if scored else 1.0), len(scored)


def half(row: Row) -> str:
    """"even" or "odd", by a stable hash of the id (not by position in the file)."""
    return "odd" if hashlib.sha256(row["id"].encode()).digest()[0] % 2 else "even"


def speed(extractor: Extractor, rows: Sequence[Row], repeat: int = 7) -> float:
    """Articles per second of this process's CPU time (best of `repeat` passes): on a
    shared machine, time spent waiting for a core is not the extractor's."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for row in rows:
            extractor(row["title"], row["text"])
        best = min(best, time.process_time() - start)
    return len(rows) / best


def table(rows: Sequence[Row], runs: dict[str, list[FactsJson]]) -> list[str]:
    names = list(runs)
    lines = [f"{'field':<12}" + "".join(f"{n + ' P':>10}{n + ' R':>10}" for n in names)
             + f"{'labels':>8}"]
    for field in FIELDS:
        cells = ""
        for name in names:
            s = score(rows, runs[name], field)
            cells += f"{s.precision:>10.3f}{s.recall:>10.3f}"
        lines.append(f"{field:<12}{cells}{score(rows, runs[names[0]], field).labelled:>8}")
    accuracy = "".join(f"{status_accuracy(rows, runs[n])[0]:>10.3f}{'':>10}" for n in names)
    lines.append(f"{'status acc':<12}{accuracy}{status_accuracy(rows, runs[names[0]])[1]:>8}")
    return lines


def errors(rows: Sequence[Row], predictions: Sequence[FactsJson], field: str) -> None:
    for row, prediction in zip(rows, predictions, strict=True):
        if field == "status":
            gold = row["facts"]["status"]
            if gold is not None and gold != prediction["status"]:
                print(f"  {row['id']}: said {prediction['status']!r}, label {gold!r}")
            continue
        same = MATCHERS[field]
        extra = [g for g in prediction[field] if not any(same(g, x) for x in row["facts"][field])]
        missed = [x for x in row["facts"][field] if not any(same(g, x) for g in prediction[field])]
        if extra or missed:
            print(f"  {row['id']}: extra {extra} missed {missed}")


def below_targets(rows: Sequence[Row], predictions: Sequence[FactsJson], rate: float) -> list[str]:
    misses = []
    for field in FIELDS:
        s, (p, r) = score(rows, predictions, field), TARGETS[field]
        if s.precision < p or s.recall < r:
            misses.append(f"{field} {s.precision:.3f}/{s.recall:.3f} (target {p}/{r})")
    accuracy = status_accuracy(rows, predictions)[0]
    if accuracy < TARGETS["status"][0]:
        misses.append(f"status {accuracy:.3f} (target {TARGETS['status'][0]})")
    if rate < TARGET_SPEED:
        misses.append(f"speed {rate:.0f} articles/s (target {TARGET_SPEED:.0f})")
    return misses


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--errors", choices=[*FIELDS, "status"], help="list one field's misses")
    parser.add_argument("--check", action="store_true", help="exit 1 below the targets")
    args = parser.parse_args(argv)
    with args.data.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    runs = {name: [extractor(r["title"], r["text"]) for r in rows]
            for name, extractor in (("ours", ours), ("naive", naive))}
    print(f"{len(rows)} articles from {args.data}\n")
    print("\n".join(table(rows, runs)))
    for part in ("even", "odd"):
        chosen = [i for i, r in enumerate(rows) if half(r) == part]
        subset = [rows[i] for i in chosen]
        note = "tuned on" if part == "even" else "held out"
        print(f"\n{part} half ({len(subset)} articles, {note}):")
        print("\n".join(table(subset, {n: [p[i] for i in chosen] for n, p in runs.items()})))
    rates = {name: speed(extractor, rows) for name, extractor in (("ours", ours), ("naive", naive))}
    print(f"\nspeed, one core: ours {rates['ours']:,.0f} articles/s, naive "
          f"{rates['naive']:,.0f} articles/s ({rates['naive'] / rates['ours']:.1f}x ours)")
    if args.errors:
        print(f"\nours, {args.errors}:")
        errors(rows, runs["ours"], args.errors)
    misses = below_targets(rows, runs["ours"], rates["ours"])
    if misses:
        print("\nbelow target: " + "; ".join(misses))
    return 1 if args.check and misses else 0


if __name__ == "__main__":
    raise SystemExit(main())
