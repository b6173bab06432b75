"""Articles already posted to a channel: which one a new article repeats, or is news about.

Pure: the posted articles come in, the decisions go out. The comparison is `monitor.stories`'s;
this module only finds the posted articles worth comparing (shared names, nearest meaning).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
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

    def repeats(self, articles: Sequence[Article]) -> list[Article | None]:
        """For each article, the indexed article it repeats (one story), or None."""
        queries, nearby = self._queries(articles)
        found: list[Article | None] = []
        for article, query, near in zip(articles, queries, nearby, strict=True):
            known = self._known(article)
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
