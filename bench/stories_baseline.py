"""bench/stories.py's baseline (TF-IDF cosine of title and lead, single link) and the
synthetic articles its time budget is measured on."""

from __future__ import annotations

import itertools
import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from monitor.fingerprint import LEAD_CHARS
from monitor.model import Article, Item

Row = dict[str, str | None]
Labels = list[int]  # cluster number of each article


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


