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
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rouge_score import rouge_scorer  # type: ignore[import-untyped]  # ships no types

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


def rouge(summaries: Sequence[str], references: Sequence[str]) -> dict[str, list[float]]:
    """ROUGE F-measure (x100) of each summary against its reference, per metric."""
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    out: dict[str, list[float]] = {m: [] for m in METRICS}
    for summary, reference in zip(summaries, references, strict=True):
        scores = scorer.score(reference, summary)
        for metric in METRICS:
            out[metric].append(100 * scores[metric].fmeasure)
    return out


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def interval(
    ours: Sequence[float], base: Sequence[float], rounds: int = 1000
) -> tuple[float, float]:
    """95% paired-bootstrap interval of the mean difference (fixed seed: same run, same output)."""
    diffs = [a - b for a, b in zip(ours, base, strict=True)]
    rng = random.Random(4)
    n = len(diffs)
    means = sorted(mean([diffs[rng.randrange(n)] for _ in range(n)]) for _ in range(rounds))
    return means[int(0.025 * rounds)], means[int(0.975 * rounds) - 1]


def timed(
    make: Callable[[Row], str], rows: Sequence[Row], repeat: int = 3
) -> tuple[list[str], float]:
    """Summaries for `rows` and articles per second (best of `repeat`: other load is noise)."""
    best = float("inf")
    out: list[str] = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = [make(row) for row in rows]
        best = min(best, time.perf_counter() - start)
    return out, len(rows) / best if best else float("inf")


HEADER = (
    f"{'part':<7}{'n':>5}  {'metric':<8}{'LEAD-3':>8}{'ours':>8}{'diff':>8}"
    f"{'95% CI of diff':>18}{'LEAD-3 unbudgeted':>19}{'ours art/s':>12}"
)


def report(rows: Sequence[Row], sentences: int, budget: int) -> list[str]:
    """Table lines for every part of the corpus."""
    summariser = ExtractiveSummariser()

    def ours(row: Row) -> str:
        return summariser.summarise(
            row.body, title=row.title, sentences=sentences, budget=budget
        ).text

    lines = [HEADER]
    for part in sorted({r.source for r in rows}):
        subset = [r for r in rows if r.source == part]
        refs = [r.reference for r in subset]
        mine, speed = timed(ours, subset)
        base = rouge([lead(r.body, sentences, budget) for r in subset], refs)
        free = rouge([lead(r.body, sentences, 10**9) for r in subset], refs)
        got = rouge(mine, refs)
        for i, metric in enumerate(METRICS):
            a, b = mean(base[metric]), mean(got[metric])
            low, high = interval(got[metric], base[metric])
            first = i == 0
            lines.append(
                f"{part if first else '':<7}{len(subset) if first else '':>5}  {metric:<8}"
                f"{a:8.2f}{b:8.2f}{b - a:+8.2f}{f'[{low:+.2f}, {high:+.2f}]':>18}"
                f"{mean(free[metric]):19.2f}{f'{speed:.0f}' if first else '':>12}"
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
    print(
        f"{len(rows)} articles; {args.sentences} sentences and {args.budget} characters for both"
        " methods; ROUGE F-measure x100 (rouge_score, stemmed)"
    )
    print("\n".join(report(rows, args.sentences, args.budget)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
