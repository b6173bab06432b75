"""Score the extractive summariser against LEAD-3 with ROUGE on the development summaries.

Both methods see the same articles, the same sentence splitter, the same number
of sentences and the same character budget; the table shows each part of the
corpus (CNN/DailyMail and BBC) separately, the difference, and articles per
second of the extractive summariser.

    python bench/summaries.py [--data PATH] [--sentences 3] [--budget 600]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rouge_score import rouge_scorer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # so the script runs from a clone without installing the package

from monitor.summarise import ExtractiveSummariser, split_sentences  # noqa: E402

DEFAULT_DATA = ROOT / ".." / "shared" / "data" / "summaries-dev.jsonl"
METRICS = ("rouge1", "rouge2", "rougeL")


@dataclass(frozen=True)
class Row:
    """One article: its part of the corpus, title (if any), body and reference summary."""

    source: str
    title: str
    body: str
    reference: str


def load(path: Path) -> list[Row]:
    """Read the JSONL corpus; a first line followed by a blank line is the headline."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            title, body = split_headline(item["article"])
            rows.append(Row(item["source"], title, body, item["reference"]))
    return rows


def split_headline(article: str) -> tuple[str, str]:
    """The BBC part stores the headline as the first line; feeds hand it over separately."""
    head, sep, rest = article.partition("\n\n")
    if sep and "\n" not in head.strip() and len(head) < 150 and rest.strip():
        return head.strip(), rest
    return "", article


def lead(body: str, sentences: int, budget: int) -> str:
    """LEAD-N: the first sentences by the same splitter, dropping any that would pass the budget."""
    chosen: list[str] = []
    used = -1
    for sentence in split_sentences(body)[:sentences]:
        if used + 1 + len(sentence.text) <= budget:
            chosen.append(sentence.text)
            used += 1 + len(sentence.text)
    return " ".join(chosen)


def rouge(pairs: Iterable[tuple[str, str]]) -> dict[str, float]:
    """Mean ROUGE F-measure (x100) over (summary, reference) pairs."""
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    totals = dict.fromkeys(METRICS, 0.0)
    count = 0
    for summary, reference in pairs:
        scores = scorer.score(reference, summary)
        for metric in METRICS:
            totals[metric] += scores[metric].fmeasure
        count += 1
    return {m: 100 * v / max(count, 1) for m, v in totals.items()}


def timed(make: Callable[[Row], str], rows: Sequence[Row]) -> tuple[list[str], float]:
    """Summaries for `rows` and the articles per second it took to make them."""
    start = time.perf_counter()
    out = [make(row) for row in rows]
    elapsed = time.perf_counter() - start
    return out, len(rows) / elapsed if elapsed else float("inf")


def report(rows: Sequence[Row], sentences: int, budget: int) -> list[str]:
    """Table lines for every part of the corpus."""
    summariser = ExtractiveSummariser()

    def ours(row: Row) -> str:
        return summariser.summarise(
            row.body, title=row.title, sentences=sentences, budget=budget
        ).text

    lines = [
        f"{'part':<8}{'n':>5}  {'metric':<8}{'LEAD-3':>8}{'ours':>8}{'diff':>8}"
        f"{'LEAD-3 (no budget)':>20}   ours art/s"
    ]
    for part in sorted({r.source for r in rows}):
        subset = [r for r in rows if r.source == part]
        mine, speed = timed(ours, subset)
        base, _ = timed(lambda r: lead(r.body, sentences, budget), subset)
        free, _ = timed(lambda r: lead(r.body, sentences, 10**9), subset)
        refs = [r.reference for r in subset]
        a, b, c = rouge(zip(base, refs)), rouge(zip(mine, refs)), rouge(zip(free, refs))
        for i, metric in enumerate(METRICS):
            tail = f"   {speed:9.0f}" if i == 0 else ""
            lines.append(
                f"{part if i == 0 else '':<8}{len(subset) if i == 0 else '':>5}  {metric:<8}"
                f"{a[metric]:8.2f}{b[metric]:8.2f}{b[metric] - a[metric]:+8.2f}"
                f"{c[metric]:20.2f}{tail}"
            )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="summaries JSONL")
    parser.add_argument("--sentences", type=int, default=3, help="sentences per summary")
    parser.add_argument("--budget", type=int, default=600, help="characters per summary")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"no corpus at {args.data}; pass --data PATH", file=sys.stderr)
        return 2
    rows = load(args.data)
    print(f"{len(rows)} articles, {args.sentences} sentences, budget {args.budget} characters")
    print("\n".join(report(rows, args.sentences, args.budget)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
