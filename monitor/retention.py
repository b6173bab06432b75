"""Retention: old articles and matches go, so the store stays the same size year after year.

Once a day the leading run removes what it first saw more than `retention` ago (180 days
by default), with its matches and stated facts, unless something still needs it:
- an article its feed still lists (gone from the store, it would come back as news);
- an article of a pending digest (its outbox parts and `posted` rows are waiting);
- an article of an open story: one posted to a channel within the retention window, so
  a later article of the same story is still known as "already posted".
With an article go its matches and its `posted` rows. Digests sent before the window go
with their parts once no article of theirs is left (each channel's newest stays: the
next window starts where it ended), and so do full-text pages fetched before it. Every
batch is its own short transaction, so a poll waits for one batch at most.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from monitor.schema import (
    articles,
    digest_parts,
    digests,
    facts,
    feeds,
    matches,
    pages,
    posted,
)
from monitor.store import Store

BATCH = 500  # rows per transaction: a few milliseconds of holding the write lock
EVERY = timedelta(days=1)
LAST_RUN = "retention_last_run"  # meta key: when the last pass finished


@dataclass(frozen=True, slots=True)
class Pruned:
    """What one pass removed, and how long its longest transaction took (seconds)."""

    articles: int = 0
    matches: int = 0
    facts: int = 0
    posted: int = 0
    digests: int = 0
    pages: int = 0
    batches: int = 0
    longest: float = 0.0


def due(store: Store, now: datetime, every: timedelta = EVERY) -> bool:
    """Whether a day has passed since the last pass (or there was none)."""
    last = store.get_meta(LAST_RUN)
    return last is None or now - datetime.fromisoformat(last) >= every


def prune(store: Store, now: datetime, keep: timedelta, *, batch: int = BATCH,
          keep_going: Callable[[], bool] = lambda: True) -> Pruned:
    """Remove what is older than `now - keep` and needed by nothing.

    `keep_going` is asked between batches (it may pause, to let a poll write); when it says
    no, the pass stops where it is and the next one goes on from there.
    """
    cutoff = now - keep
    tally = _Tally()
    listed = _listed_by_feeds(store)
    after: tuple[datetime, str] | None = None
    more = True
    while more:
        with tally.batch(store) as c:
            more, after = _articles(c, cutoff, listed, after, batch, tally)
        if not keep_going():
            return tally.result()
    for step in (_digests, _pages):
        more = True
        while more:
            with tally.batch(store) as c:
                more = step(c, cutoff, batch, tally)
            if not keep_going():
                return tally.result()
    store.set_meta(LAST_RUN, now.isoformat())
    return tally.result()


class _Tally:
    def __init__(self) -> None:
        self.counts = dict.fromkeys(("articles", "matches", "facts", "posted", "digests",
                                     "pages"), 0)
        self.batches = 0
        self.longest = 0.0

    @contextmanager
    def batch(self, store: Store) -> Iterator[Connection]:
        started = time.perf_counter()
        with store.begin() as c:
            yield c
        self.batches += 1
        self.longest = max(self.longest, time.perf_counter() - started)

    def add(self, name: str, result: sa.CursorResult[Any]) -> None:
        self.counts[name] += max(result.rowcount, 0)

    def result(self) -> Pruned:
        return Pruned(**self.counts, batches=self.batches, longest=self.longest)


def _listed_by_feeds(store: Store) -> set[str]:
    with store.begin() as c:
        return {uid for (listed,) in c.execute(sa.select(feeds.c.item_uids))
                for uid in json.loads(listed or "[]")}


def _articles(c: Connection, cutoff: datetime, listed: set[str],
              after: tuple[datetime, str] | None, batch: int,
              tally: _Tally) -> tuple[bool, tuple[datetime, str] | None]:
    """One batch of old articles, read after the last one seen (kept ones are not re-read)."""
    keys = (articles.c.first_seen, articles.c.uid)
    query = sa.select(*keys).where(articles.c.first_seen < cutoff)
    if after is not None:  # the plain bound lets PostgreSQL start the index scan there too
        query = query.where(articles.c.first_seen >= after[0],
                            sa.tuple_(*keys) > sa.tuple_(*after))
    rows = list(c.execute(query.order_by(*keys).limit(batch)))
    if not rows:
        return False, after
    uids = [r.uid for r in rows]
    doomed = list(set(uids) - listed - _needed(c, uids, cutoff))
    if doomed:
        tally.add("matches", c.execute(matches.delete().where(matches.c.uid.in_(doomed))))
        tally.add("facts", c.execute(facts.delete().where(facts.c.uid.in_(doomed))))
        tally.add("posted", c.execute(posted.delete().where(posted.c.uid.in_(doomed))))
        tally.add("articles", c.execute(articles.delete().where(articles.c.uid.in_(doomed))))
    return len(rows) == batch, (rows[-1].first_seen, rows[-1].uid)


def _needed(c: Connection, uids: list[str], cutoff: datetime) -> set[str]:
    """Which of `uids` a pending digest or an open story still needs."""
    pending = sa.select(digests.c.id).where(digests.c.status == "pending")
    open_stories = sa.select(posted.c.story).group_by(posted.c.story) \
        .having(sa.func.max(posted.c.posted_at) >= cutoff)
    query = sa.select(posted.c.uid).where(
        posted.c.uid.in_(uids),
        sa.or_(posted.c.digest_id.in_(pending), posted.c.story.in_(open_stories)))
    return set(c.execute(query).scalars())


def _digests(c: Connection, cutoff: datetime, batch: int, tally: _Tally) -> bool:
    """Sent digests before the window that no article refers to, but each channel's newest."""
    newest = sa.select(sa.func.max(digests.c.id)).group_by(digests.c.channel)
    referenced = sa.select(posted.c.digest_id).distinct()
    old = sa.select(digests.c.id).where(
        digests.c.status.in_(["sent", "empty"]), digests.c.created_at < cutoff,
        digests.c.id.not_in(newest), digests.c.id.not_in(referenced))
    ids = list(c.execute(old.order_by(digests.c.id).limit(batch)).scalars())
    if ids:
        c.execute(digest_parts.delete().where(digest_parts.c.digest_id.in_(ids)))
        tally.add("digests", c.execute(digests.delete().where(digests.c.id.in_(ids))))
    return len(ids) == batch


def _pages(c: Connection, cutoff: datetime, batch: int, tally: _Tally) -> bool:
    old = sa.select(pages.c.url).where(pages.c.fetched_at < cutoff)
    urls = list(c.execute(old.order_by(pages.c.url).limit(batch)).scalars())
    if urls:
        tally.add("pages", c.execute(pages.delete().where(pages.c.url.in_(urls))))
    return len(urls) == batch
