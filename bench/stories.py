"""Benchmark same-story grouping against a naive baseline on the same articles, in one process.

Quality: pairwise precision and recall of "same story" over every pair of articles in
stories-dev.jsonl (same `event` = positive pair, different = negative; a pair where one
event is a `followup_of` the other is not scored). The baseline is TF-IDF cosine of title
and lead with single-link clustering, at the threshold that gives it the best F1.
Speed: items per second on a larger synthetic set built from the same articles.

    python bench/stories.py
    python bench/stories.py --data ../shared/data/stories-dev.jsonl --synthetic 2000 --errors
    python bench/stories.py --check     # exit 1 below P 0.95 / R 0.85 or not above the baseline
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.digest import group_stories  # noqa: E402
from monitor.fingerprint import LEAD_CHARS  # noqa: E402
from monitor.model import Article, Item  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "stories-dev.jsonl"
TARGET_PRECISION, TARGET_RECALL = 0.95, 0.85
Row = dict[str, str | None]
Labels = list[int]  # cluster number of each article


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    tp: int
    fp: int
    fn: int
    near_misses: int  # near-miss pairs (must stay apart) that were merged

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def load(path: Path) -> list[Row]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def to_item(row: Row) -> Item:
    published = row.get("published")
    when = datetime.fromisoformat(published).replace(tzinfo=UTC) if published else None
    article = Article(uid=str(row["id"]), url=str(row["url"]), title=str(row["title"]),
                      summary=str(row["summary"] or ""), published=when, source=str(row["source"]))
    return Item(article=article, matches=())


def scored_pairs(rows: Sequence[Row]) -> list[tuple[int, int, bool, bool]]:
    """(i, j, same event, near miss) for every scored pair; follow-up pairs are left out."""
    followups = {(r["event"], r["followup_of"]) for r in rows if r.get("followup_of")}
    near = {(r["event"], r["near_miss_of"]) for r in rows if r.get("near_miss_of")}
    pairs = []
    for i, j in itertools.combinations(range(len(rows)), 2):
        a, b = rows[i]["event"], rows[j]["event"]
        if (a, b) in followups or (b, a) in followups:
            continue
        pairs.append((i, j, a == b, (a, b) in near or (b, a) in near))
    return pairs


def score(labels: Labels, pairs: Sequence[tuple[int, int, bool, bool]]) -> Score:
    tp = fp = fn = near = 0
    for i, j, same, near_miss in pairs:
        merged = labels[i] == labels[j]
        tp += same and merged
        fp += merged and not same
        fn += same and not merged
        near += merged and near_miss
    precision = tp / (tp + fp) if tp + fp else 1.0
    return Score(precision, tp / (tp + fn) if tp + fn else 1.0, tp, fp, fn, near)


def ours(items: Sequence[Item]) -> Labels:
    index = {id(item): k for k, item in enumerate(items)}
    labels = [0] * len(items)
    for number, story in enumerate(group_stories(items)):
        for item in story.items:
            labels[index[id(item)]] = number
    return labels


# --- the baseline: TF-IDF cosine of title + lead, single link ---------------------------------

def baseline_similarities(items: Sequence[Item]) -> dict[tuple[int, int], float]:
    """Cosine of every pair that shares a term (the others are 0), via an inverted index."""
    vectors = _tfidf([_lead_text(item.article) for item in items])
    postings: dict[str, list[tuple[int, float]]] = {}
    for i, vector in enumerate(vectors):
        for term, weight in vector.items():
            postings.setdefault(term, []).append((i, weight))
    sims: defaultdict[tuple[int, int], float] = defaultdict(float)
    for posting in postings.values():
        for (i, wi), (j, wj) in itertools.combinations(posting, 2):
            sims[i, j] += wi * wj
    return dict(sims)


def _lead_text(article: Article) -> str:
    return f"{article.title} {(article.summary or article.content)[:LEAD_CHARS]}"


def _tfidf(texts: Sequence[str]) -> list[dict[str, float]]:
    docs = [Counter(re.findall(r"\w+", text.lower())) for text in texts]
    df = Counter(term for doc in docs for term in doc)
    vectors = []
    for doc in docs:
        vector = {t: (1 + math.log(c)) * (math.log((1 + len(docs)) / (1 + df[t])) + 1)
                  for t, c in doc.items()}
        norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
        vectors.append({t: w / norm for t, w in vector.items()})
    return vectors


def single_link(count: int, sims: dict[tuple[int, int], float], threshold: float) -> Labels:
    parent = list(range(count))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for (i, j), sim in sims.items():
        if sim >= threshold:
            parent[root(i)] = root(j)
    return [root(i) for i in range(count)]


def best_baseline(items: Sequence[Item], pairs: Sequence[tuple[int, int, bool, bool]]
                  ) -> tuple[float, Score, list[tuple[float, Score]]]:
    sims = baseline_similarities(items)
    sweep = [(t / 100, score(single_link(len(items), sims, t / 100), pairs)) for t in range(5, 96)]
    threshold, best = max(sweep, key=lambda pair: (pair[1].f1, pair[1].precision))
    return threshold, best, sweep


# --- a larger synthetic set, for throughput ----------------------------------------------------

def synthetic(rows: Sequence[Row], count: int, seed: int) -> list[Item]:
    """`count` items: each dev event re-told about a made-up company, with scaled figures."""
    rnd = random.Random(seed)
    syllables = ["vor", "tal", "mex", "quin", "dra", "lum", "zen", "ko", "ria", "pex", "nor", "sil"]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    variants: dict[tuple[str | None, int], tuple[str, float, datetime]] = {}
    items = []
    for k in range(count):
        row = rows[k % len(rows)]
        key = (row["event"], k // len(rows))
        if key not in variants:
            # CamelCase like CoreWeave, so it reads as a name even at the start of a headline
            name = "".join(rnd.choice(syllables).capitalize() for _ in range(3))
            when = start + timedelta(hours=rnd.randrange(720))  # a month of news
            variants[key] = (name, rnd.uniform(0.2, 9.0), when)
        name, factor, when = variants[key]
        title = f"{name}: {_scale(str(row['title']), factor)}"
        summary = _drop_words(f"{name} said {_scale(str(row['summary']), factor)}", rnd)
        article = Article(uid=f"synthetic-{k}", url=f"https://example.org/{k}", title=title,
                          summary=summary, published=when + timedelta(hours=rnd.randrange(12)),
                          source=str(row["source"]))
        items.append(Item(article=article, matches=()))
    return items


def _scale(text: str, factor: float) -> str:
    return re.sub(r"\d+(?:\.\d+)?", lambda m: f"{float(m.group()) * factor:.3g}", text)


def _drop_words(text: str, rnd: random.Random) -> str:
    return " ".join(word for word in text.split() if rnd.random() > 0.1)


def throughput(run: Callable[[], object], count: int) -> float:
    began = time.perf_counter()
    run()
    return count / (time.perf_counter() - began)


# --- report ------------------------------------------------------------------------------------

def row_text(name: str, threshold: str, s: Score) -> str:
    return (f"{name:<28} {threshold:>9} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} "
            f"{s.tp:>4} {s.fp:>4} {s.fn:>4} {s.near_misses:>6}")


def show_errors(rows: Sequence[Row], labels: Labels, pairs: Sequence[tuple[int, int, bool, bool]]
                ) -> None:
    for i, j, same, _ in pairs:
        if same != (labels[i] == labels[j]):
            kind = "split " if same else "merged"
            print(f"  {kind} {str(rows[i]['title'])[:55]!r} | {str(rows[j]['title'])[:55]!r}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="stories JSONL file")
    parser.add_argument("--synthetic", type=int, default=2000, help="items in the speed test")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--errors", action="store_true", help="list our split and merged pairs")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    rows = load(args.data)
    items = [to_item(row) for row in rows]
    pairs = scored_pairs(rows)
    positives = sum(1 for pair in pairs if pair[2])
    labels = ours(items)
    mine = score(labels, pairs)
    threshold, base, sweep = best_baseline(items, pairs)
    print(f"{args.data.name}: {len(rows)} articles, {len({r['event'] for r in rows})} events, "
          f"{len(pairs)} scored pairs ({positives} same-story)")
    print(f"{'method':<28} {'threshold':>9} {'precision':>9} {'recall':>7} {'F1':>6} "
          f"{'tp':>4} {'fp':>4} {'fn':>4} {'near-miss merged':>6}")
    print(row_text("ours (average link)", "0.25", mine))
    print(row_text("baseline TF-IDF single link", f"{threshold:.2f}", base))
    high = [s for _, s in sweep if s.precision >= TARGET_PRECISION]
    if high:
        print(row_text("baseline at precision>=0.95", "best", max(high, key=lambda s: s.recall)))
    print(f"ratio ours/baseline: precision {mine.precision / base.precision:.2f}x, "
          f"recall {mine.recall / base.recall:.2f}x, F1 {mine.f1 / base.f1:.2f}x")
    if args.errors:
        show_errors(rows, labels, pairs)

    big = synthetic(rows, args.synthetic, args.seed)
    ours_rate = throughput(lambda: group_stories(big), len(big))
    base_rate = throughput(lambda: single_link(len(big), baseline_similarities(big), threshold),
                           len(big))
    print(f"throughput on {len(big)} synthetic items: ours {ours_rate:,.0f} items/s, "
          f"baseline {base_rate:,.0f} items/s, ratio {ours_rate / base_rate:.2f}x")

    met = (mine.precision >= TARGET_PRECISION and mine.recall >= TARGET_RECALL
           and mine.precision > base.precision and mine.recall > base.recall)
    print(f"targets (P>={TARGET_PRECISION}, R>={TARGET_RECALL}, above baseline on both): "
          f"{'met' if met else 'MISSED'}")
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
