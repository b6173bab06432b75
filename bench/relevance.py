"""Measure a watch rule's precision and recall on the hand-labelled relevance set.

Label 2 (about AI compute infrastructure) is the positive class, label 0 the negative
one; label 1 (borderline) is left out of the scores and only counted. The baseline is
the example rule of DESIGN.md ("Rule files"), run in the same process on the same
items, so the table shows what the shipped rule adds over the contract's sketch. Every
miss and false alarm is listed with its score and hits. It is a report: the exit code
is 0 whatever the numbers (1 only when the rules or the data cannot be read).

    python bench/relevance.py [--rules DIR] [--rule ID] [--data PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from monitor.errors import MonitorError
from monitor.model import Article, Rule, SignalGroup
from monitor.rules.load import load_rules_strict
from monitor.rules.match import Evaluation, Matcher

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / ".." / "shared" / "data" / "relevance-dev.jsonl"
DEFAULT_RULES = ROOT / "rules"
POSITIVE, BORDERLINE, NEGATIVE = 2, 1, 0

# The example rule of DESIGN.md ("Rule files") term for term: what a first rule looks like.
BASELINE = Rule(
    id="design-example",
    threshold=5,
    signals=(
        SignalGroup(("AI gigafactor*", "AI factor*"), 5),
        SignalGroup(("data centre", "data center", "datacenter", "hyperscale*"), 2),
        SignalGroup(("GPU*", "/\\bH[12]00\\b/", "accelerator*"), 2,
                    near=("AI", "train*", "cluster*"), within=12),
    ),
    require=(("AI", "artificial intelligence", "compute", "data cent*", "GPU*",
              "supercomput*"),),
    exclude=("battery gigafactor*", "Stargate SG-1"),
)


@dataclass(frozen=True, slots=True)
class Item:
    """One labelled news item."""

    article: Article
    label: int
    category: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """One item as a rule saw it."""

    item: Item
    evaluation: Evaluation

    @property
    def matched(self) -> bool:
        return self.evaluation.matched


def load_items(path: Path) -> list[Item]:
    """Read the JSONL set into Articles with their labels."""
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        article = Article(uid=row["id"], url=row.get("url") or "", title=row.get("title") or "",
                          summary=row.get("summary") or "", content=row.get("content") or "",
                          source=row.get("source") or "")
        items.append(Item(article, int(row["label"]), row.get("category") or "?"))
    return items


def run(rule: Rule, items: Iterable[Item]) -> list[Outcome]:
    """Evaluate one rule on every item."""
    matcher = Matcher([rule])
    return [Outcome(item, matcher.explain(rule.id, item.article)) for item in items]


def precision_recall(outcomes: Sequence[Outcome]) -> tuple[float, float]:
    """Precision and recall of label 2 against label 0; label 1 is not counted."""
    tp = sum(o.matched for o in outcomes if o.item.label == POSITIVE)
    fp = sum(o.matched for o in outcomes if o.item.label == NEGATIVE)
    positives = sum(o.item.label == POSITIVE for o in outcomes)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / positives if positives else 0.0
    return precision, recall


def describe_hits(evaluation: Evaluation) -> str:
    """The groups that scored (or penalised), the vetoes and the unmet requires, compactly."""
    parts = []
    for group in evaluation.groups:
        if group.points:
            name = evaluation.rule.signals[group.index].name or f"#{group.index + 1}"
            texts = sorted({h.text for h in group.hits})[:4]
            parts.append(f"{name} {group.points:+g} ({', '.join(texts)})")
    parts.extend(f"EXCLUDED by {h.text!r}" for h in evaluation.excluded[:2])
    parts.extend(f"require unmet: {r.terms[0]}..." for r in evaluation.require if not r.hits)
    return "; ".join(parts) or "no hits"


def print_summary(name: str, outcomes: Sequence[Outcome]) -> None:
    precision, recall = precision_recall(outcomes)
    borderline = [o for o in outcomes if o.item.label == BORDERLINE]
    hits = sum(o.matched for o in borderline)
    print(f"{name:<22} precision {precision:.3f}  recall {recall:.3f}  "
          f"(label 1 matched: {hits}/{len(borderline)})")


def print_categories(outcomes: Sequence[Outcome]) -> None:
    totals: Counter[tuple[str, int]] = Counter()
    matched: Counter[tuple[str, int]] = Counter()
    for o in outcomes:
        key = (o.item.category, o.item.label)
        totals[key] += 1
        matched[key] += o.matched
    print("\nper category (label: matched/total)")
    for key in sorted(totals, key=lambda k: (-k[1], k[0])):
        print(f"  {key[0]:<22} label {key[1]}: {matched[key]}/{totals[key]}")


def print_errors(outcomes: Sequence[Outcome]) -> None:
    misses = [o for o in outcomes if o.item.label == POSITIVE and not o.matched]
    alarms = [o for o in outcomes if o.item.label == NEGATIVE and o.matched]
    for heading, group in (("misses (label 2 not matched)", misses),
                           ("false alarms (label 0 matched)", alarms)):
        print(f"\n{heading}: {len(group)}")
        for o in group:
            a = o.item.article
            print(f"  {a.uid} [{o.item.category}] score {o.evaluation.score:g}: {a.title}")
            print(f"      {describe_hits(o.evaluation)}")


def print_margins(outcomes: Sequence[Outcome], threshold: float, count: int = 5) -> None:
    """The weakest positives and the strongest negatives: the room left on each side."""
    positives = sorted((o for o in outcomes if o.item.label == POSITIVE),
                       key=lambda o: o.evaluation.score)[:count]
    negatives = sorted((o for o in outcomes if o.item.label == NEGATIVE),
                       key=lambda o: -o.evaluation.score)[:count]
    for heading, group in (("lowest-scoring positives", positives),
                           ("highest-scoring negatives", negatives)):
        print(f"\n{heading} (threshold {threshold:g}):")
        for o in group:
            verdict = "match" if o.matched else "no match"
            print(f"  {o.evaluation.score:6.1f} {verdict:<8} {o.item.article.uid}")


def find_rule(rules: Sequence[Rule], rule_id: str) -> Rule:
    for rule in rules:
        if rule.id == rule_id:
            return rule
    known = ", ".join(r.id for r in rules) or "none"
    raise MonitorError(f"no rule with id {rule_id!r} (loaded: {known})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=Path, default=DEFAULT_RULES, help="rules directory")
    parser.add_argument("--rule", default="ai-infrastructure", help="id of the rule to measure")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="relevance JSONL file")
    args = parser.parse_args(argv)
    try:
        rule = find_rule(load_rules_strict(args.rules), args.rule)
        items = load_items(args.data)
    except (MonitorError, OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    ours, baseline = run(rule, items), run(BASELINE, items)
    counts = Counter(i.label for i in items)
    print(f"{len(items)} items: {counts[POSITIVE]} positive (2), {counts[NEGATIVE]} negative (0), "
          f"{counts[BORDERLINE]} borderline (1, not scored)\n")
    print_summary(rule.id, ours)
    print_summary("baseline (DESIGN.md)", baseline)
    (p1, r1), (p0, r0) = precision_recall(ours), precision_recall(baseline)
    print(f"{'difference':<22} precision {p1 - p0:+.3f}  recall {r1 - r0:+.3f}")
    print_categories(ours)
    print_errors(ours)
    print_margins(ours, rule.threshold)
    return 0


if __name__ == "__main__":
    sys.exit(main())
