"""Articles already posted to a channel: which one a new article repeats, or is news about.

Pure: the posted articles come in, the decisions go out. The comparison is `monitor.stories`'s;
this module only finds the posted articles worth comparing (shared names, nearest meaning).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from monitor.embedding import Vectors
from monitor.fingerprint import fingerprint
from monitor.model import Article, Story
from monitor.stories import (
    BLOCK_CAP,
    NEIGHBOUR_FLOOR,
    NEIGHBOURS,
    THRESHOLD,
    WINDOW,
    Comparison,
    Profile,
    Vocabulary,
    blocking_keys,
    compare,
    default_model,
    identity_keys,
    semantic_text,
    similarity,
)


@dataclass(frozen=True, slots=True)
class Look:
    """What the index holds about one article: what it repeats, and its nearest neighbour."""

    repeat: Article | None
    nearest: tuple[Article, Comparison] | None


class StoryIndex:
    """Posted articles, indexed by identity, names and sentence vectors."""

    def __init__(self, articles: Iterable[Article], *, window: timedelta = WINDOW,
                 corpus: Iterable[Article] = (), semantic: bool = True) -> None:
        self.window = window
        self._articles = list(articles)
        self._model = default_model(semantic) if self._articles else None
        prints = [fingerprint(a) for a in self._articles]
        self._vocabulary = Vocabulary([*prints, *map(fingerprint, corpus)])
        self._vectors = self._embed(self._articles)
        rows = self._vectors.rows if self._vectors is not None else [None] * len(prints)
        self._profiles = [Profile.of(p, self._vocabulary, row)
                          for p, row in zip(prints, rows, strict=True)]
        self._by_name: defaultdict[str, list[int]] = defaultdict(list)
        self._by_identity: dict[str, int] = {}
        for index, article in enumerate(self._articles):
            for name in blocking_keys(self._profiles[index]):
                self._by_name[name].append(index)
            for key in identity_keys(article):
                self._by_identity.setdefault(key, index)

    def find(self, article: Article) -> Article | None:
        """The indexed article that reports the same story as `article`, or None."""
        return self.repeats([article])[0]

    def repeats(self, articles: Sequence[Article], among: Container[str] | None = None
                ) -> list[Article | None]:
        """For each article, the indexed article it repeats (one story), or None.

        With `among` (uids), only those indexed articles count, besides the same article
        seen again (same URL or uid).
        """
        queries, nearby = self._queries(articles)
        found: list[Article | None] = []
        for article, query, near in zip(articles, queries, nearby, strict=True):
            known = self._known(article)
            if among is not None:
                near = [i for i in near if self._articles[i].uid in among]
            if known is None:
                scored = [(similarity(query, self._profiles[i], self.window), -i) for i in near]
                best, index = max(scored, default=(0.0, 0))
                known = self._articles[-index] if best >= THRESHOLD else None
            found.append(known)
        return found

    def nearest(self, article: Article) -> tuple[Article, Comparison] | None:
        """The indexed article closest to `article` (score, then affinity), and the comparison.

        For a follow-up decision: `comparison.same` is a repeat; a high `affinity` held down
        by `conflicts` (new figures, a later date, "published" outside the window) is news
        about that article's story; a low affinity is another story.
        """
        (query,), (near,) = self._queries([article])
        scored = [(compare(query, self._profiles[i], self.window), i) for i in near]
        if not scored:
            return None
        best, index = max(scored, key=lambda p: (p[0].score, p[0].affinity, -p[1]))
        return (self._articles[index], best) if best.affinity > 0 else None

    def look(self, articles: Sequence[Article], among: Container[str] | None = None,
             nearest_among: Container[str] | None = None, floor: float = 0.0) -> list[Look]:
        """For each article, in one batch: the indexed article it repeats, and the nearest.

        With `among` (uids), only those indexed articles can be repeated (the same article
        seen again always is); with `nearest_among`, only those can be the nearest; with
        `floor`, only one of that affinity or more (a floor below THRESHOLD loses no repeat).
        """
        assert floor <= THRESHOLD
        queries, nearby = self._queries(articles)
        looks = []
        for article, query, near in zip(articles, queries, nearby, strict=True):
            same: list[tuple[float, int]] = []
            scored: list[tuple[Comparison, int]] = []
            for i in near:
                uid = self._articles[i].uid
                if nearest_among is None or uid in nearest_among:
                    scored.append((compare(query, self._profiles[i], self.window, floor), i))
                    score = scored[-1][0].score
                else:  # the cheaper judgement: nothing but the score is wanted
                    score = similarity(query, self._profiles[i], self.window)
                if score >= THRESHOLD and (among is None or uid in among):
                    same.append((score, -i))
            known = self._known(article) or (self._articles[-max(same)[1]] if same else None)
            best = max(scored, key=lambda p: (p[0].score, p[0].affinity, -p[1]), default=None)
            wanted = best is not None and best[0].affinity > 0 and best[0].affinity >= floor
            nearest = (self._articles[best[1]], best[0]) if best is not None and wanted else None
            looks.append(Look(known, nearest))
        return looks

    def covers(self, story: Story) -> bool:
        """Whether any item of the story repeats an indexed article."""
        return any(found is not None for found in self.repeats([i.article for i in story.items]))

    def _known(self, article: Article) -> Article | None:
        for key in identity_keys(article):
            if key in self._by_identity:
                return self._articles[self._by_identity[key]]
        return None

    def _embed(self, articles: Sequence[Article]) -> Vectors | None:
        if self._model is None:
            return None
        return self._model.vectors([semantic_text(a) for a in articles])

    def _queries(self, articles: Sequence[Article]) -> tuple[list[Profile], list[list[int]]]:
        """Profiles of `articles` on the index's vocabulary, and the indexed articles near each."""
        vectors = self._embed(articles)
        rows = vectors.rows if vectors is not None else [None] * len(articles)
        queries = [Profile.of(fingerprint(a), self._vocabulary, row)
                   for a, row in zip(articles, rows, strict=True)]
        close = vectors.nearest_in(self._vectors, NEIGHBOURS, NEIGHBOUR_FLOOR) \
            if vectors is not None and self._vectors is not None else [[] for _ in articles]
        return queries, [sorted(self._by_names(q) | set(c)) for q, c in zip(queries, close,
                                                                           strict=True)]

    def _by_names(self, query: Profile) -> set[int]:
        """Posted articles sharing a name; a name on more than BLOCK_CAP only when no other."""
        names = sorted(blocking_keys(query), key=lambda n: (len(self._by_name.get(n, ())), n))
        rare = [n for n in names if len(self._by_name.get(n, ())) <= BLOCK_CAP] or names[:1]
        return {i for name in rare for i in self._by_name.get(name, ())}
