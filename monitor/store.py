"""The store: SQLAlchemy Core over SQLite (WAL) by default, any SQLAlchemy URL otherwise.

Only plain model values go in and come out; no row or engine leaves this module.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from monitor.engine import create_engine, open_failure
from monitor.engine import database_url as database_url  # where config.py finds it
from monitor.errors import StoreError
from monitor.migrate import ensure_current
from monitor.model import Article, FeedState, Hit, Match, Page
from monitor.schema import articles, cache, feeds, matches, meta, pages

_CHUNK = 500  # rows per IN (...) query; SQLite allows a limited number of parameters
# dataclasses.asdict deep-copies every value; these flat rows need none of that, and a
# cycle writes a row per feed and per hit (a third of the store's time in a warm cycle).
_FEED_FIELDS = tuple(f.name for f in fields(FeedState))
_HIT_FIELDS = tuple(f.name for f in fields(Hit))
_STATE_FIELDS = tuple(name for name in _FEED_FIELDS if name not in ("url", "item_uids"))


class Store:
    """Feeds' state, articles and matches, and (in later modules) digests and caches."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = create_engine(url)
        try:
            ensure_current(self.engine)
        except sa.exc.SQLAlchemyError as exc:
            self.engine.dispose()
            raise open_failure(url, exc) from exc
        except StoreError:
            self.engine.dispose()
            raise

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            yield connection

    def get_meta(self, key: str) -> str | None:
        with self.begin() as c:
            return c.execute(sa.select(meta.c.value).where(meta.c.key == key)).scalar()

    def set_meta(self, key: str, value: str, connection: Connection | None = None) -> None:
        with _maybe(self, connection) as c:
            c.execute(meta.delete().where(meta.c.key == key))
            c.execute(meta.insert().values(key=key, value=value))

    # Feeds

    def feed_states(self, urls: Iterable[str] | None = None) -> dict[str, FeedState]:
        query = sa.select(feeds)
        with self.begin() as c:
            rows = [r for chunk in _chunks(urls) for r in
                    c.execute(query.where(feeds.c.url.in_(chunk)))] if urls is not None \
                else list(c.execute(query))
        return {row.url: _feed_state(row._mapping) for row in rows}

    def save_feed_states(self, states: Sequence[FeedState], c: Connection,
                         same_items: Iterable[str] = ()) -> None:
        """Write feed states; those in `same_items` (urls) still list the stored items.

        Most feeds in a warm cycle answered 304 or sent the same bytes: their rows are
        updated in place without rewriting the list of item uids, the bulk of a row.
        """
        unchanged = set(same_items)
        rest = [s for s in states if s.url not in unchanged]
        update = [_fields(s, _STATE_FIELDS) | {"b_url": s.url}
                  for s in states if s.url in unchanged]
        if update:
            c.execute(feeds.update().where(feeds.c.url == sa.bindparam("b_url"))
                      .values({name: sa.bindparam(name) for name in _STATE_FIELDS}), update)
        rows = [_fields(s, _FEED_FIELDS) | {"item_uids": json.dumps(list(s.item_uids))}
                for s in rest]
        for chunk in _chunks(s.url for s in rest):
            c.execute(feeds.delete().where(feeds.c.url.in_(chunk)))
        if rows:
            c.execute(feeds.insert(), rows)

    # Articles and matches

    def known(self, uids: Iterable[str]) -> set[str]:
        """Which of these article uids the store already holds."""
        found: set[str] = set()
        with self.begin() as c:
            for chunk in _chunks(uids):
                found.update(c.execute(sa.select(articles.c.uid)
                                       .where(articles.c.uid.in_(chunk))).scalars())
        return found

    def known_urls(self, urls: Iterable[str]) -> dict[str, str]:
        """Canonical URL -> uid for the URLs the store already holds."""
        found: dict[str, str] = {}
        with self.begin() as c:
            for chunk in _chunks(u for u in urls if u):
                query = sa.select(articles.c.url, articles.c.uid).where(articles.c.url.in_(chunk))
                found.update({row.url: row.uid for row in c.execute(query)})
        return found

    def save_articles(self, items: Sequence[Article], now: datetime, c: Connection) -> None:
        """Insert new articles (first seen `now`) and refresh the text of known ones."""
        existing: set[str] = set()
        for chunk in _chunks(a.uid for a in items):
            existing.update(c.execute(sa.select(articles.c.uid)
                                      .where(articles.c.uid.in_(chunk))).scalars())
        names = [f.name for f in fields(Article)]
        new = [{n: getattr(a, n) for n in names} | {"first_seen": now}
               for a in items if a.uid not in existing]
        old = [{n: getattr(a, n) for n in names} | {"b_uid": a.uid}
               for a in items if a.uid in existing]
        if new:
            c.execute(articles.insert(), new)
        if old:
            update = articles.update().where(articles.c.uid == sa.bindparam("b_uid"))
            c.execute(update, old)

    def save_matches(self, found: Mapping[str, Sequence[Match]], now: datetime,
                     c: Connection) -> None:
        """Replace the stored matches of each article uid in `found`."""
        for chunk in _chunks(found):
            c.execute(matches.delete().where(matches.c.uid.in_(chunk)))
        rows = [{"uid": uid, "rule_id": m.rule_id, "score": m.score, "matched_at": now,
                 "hits": json.dumps([_fields(h, _HIT_FIELDS) for h in m.hits])}
                for uid, ms in found.items() for m in ms]
        if rows:
            c.execute(matches.insert(), rows)

    def articles(self, uids: Iterable[str]) -> dict[str, Article]:
        out: dict[str, Article] = {}
        with self.begin() as c:
            for chunk in _chunks(uids):
                rows = c.execute(sa.select(articles).where(articles.c.uid.in_(chunk)))
                out.update({row.uid: row_to_article(row._mapping) for row in rows})
        return out

    def articles_since(self, since: datetime | None) -> list[Article]:
        """Articles first seen (or published) at or after `since`, oldest first."""
        query = sa.select(articles).order_by(articles.c.first_seen, articles.c.uid)
        if since is not None:
            query = query.where(sa.or_(articles.c.first_seen >= since,
                                       articles.c.published >= since))
        with self.begin() as c:
            return [row_to_article(row._mapping) for row in c.execute(query)]

    def matched_between(self, since: datetime | None, until: datetime,
                        rule_ids: Sequence[str] = ()) -> list[tuple[Article, list[Match]]]:
        """Articles first seen in (since, until] with their matches (of `rule_ids`, if given).

        Windows go by when monitor first saw an article, not by its stated date, so
        consecutive windows never miss a late or back-dated item.
        """
        # No DISTINCT: with it SQLite walks every article in uid order instead of the
        # window's range of the first_seen index, and a digest slows as the store grows.
        query = sa.select(articles.c.uid).join(matches, matches.c.uid == articles.c.uid) \
            .where(articles.c.first_seen <= until)
        if since is not None:
            query = query.where(articles.c.first_seen > since)
        if rule_ids:
            query = query.where(matches.c.rule_id.in_(list(rule_ids)))
        with self.begin() as c:
            uids = list(set(c.execute(query).scalars()))
        found = self.matches(uids)
        loaded = self.articles(uids)
        wanted = set(rule_ids)
        return [(loaded[uid], [m for m in found.get(uid, []) if not wanted or m.rule_id in wanted])
                for uid in sorted(uids) if uid in loaded]

    def matches(self, uids: Iterable[str] | None = None) -> dict[str, list[Match]]:
        query = sa.select(matches).order_by(matches.c.uid, matches.c.rule_id)
        out: dict[str, list[Match]] = {}
        with self.begin() as c:
            rows = [r for chunk in _chunks(uids) for r in
                    c.execute(query.where(matches.c.uid.in_(chunk)))] if uids is not None \
                else list(c.execute(query))
        for row in rows:
            hits = tuple(Hit(**h) for h in json.loads(row.hits))
            out.setdefault(row.uid, []).append(Match(row.rule_id, row.score, hits))
        return out


    # Full-text pages and the small key-value cache

    def pages(self, urls: Sequence[str]) -> dict[str, Page]:
        out: dict[str, Page] = {}
        with self.begin() as c:
            for chunk in _chunks(urls):
                for row in c.execute(sa.select(pages).where(pages.c.url.in_(chunk))):
                    out[row.url] = Page(row.url, row.title, row.text, row.published, row.source,
                                        row.error)
        return out

    def save_pages(self, found: Mapping[str, Page], now: datetime | None = None) -> None:
        stamp = now or datetime.now(UTC)
        rows = [{"url": url, "title": p.title, "text": p.text, "published": p.published,
                 "source": p.source, "error": p.error, "fetched_at": stamp}
                for url, p in found.items()]
        with self.begin() as c:
            for chunk in _chunks(found):
                c.execute(pages.delete().where(pages.c.url.in_(chunk)))
            if rows:
                c.execute(pages.insert(), rows)

    def cache_get(self, key: str) -> str | None:
        with self.begin() as c:
            return c.execute(sa.select(cache.c.value).where(cache.c.key == key)).scalar()

    def cache_set(self, key: str, value: str) -> None:
        with self.begin() as c:
            c.execute(cache.delete().where(cache.c.key == key))
            c.execute(cache.insert().values(key=key, value=value))


class StoreCache(MutableMapping[str, str]):
    """The store's key-value cache as a mapping (what the LLM summariser takes)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __getitem__(self, key: str) -> str:
        value = self.store.cache_get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key: str, value: str) -> None:
        self.store.cache_set(key, value)

    def __delitem__(self, key: str) -> None:
        with self.store.begin() as c:
            c.execute(cache.delete().where(cache.c.key == key))

    def __iter__(self) -> Iterator[str]:
        with self.store.begin() as c:
            return iter(list(c.execute(sa.select(cache.c.key)).scalars()))

    def __len__(self) -> int:
        with self.store.begin() as c:
            return int(c.execute(sa.select(sa.func.count()).select_from(cache)).scalar() or 0)


@contextmanager
def _maybe(store: Store, connection: Connection | None) -> Iterator[Connection]:
    if connection is not None:
        yield connection
    else:
        with store.begin() as c:
            yield c


def _chunks(values: Iterable[str] | None) -> Iterator[list[str]]:
    batch: list[str] = []
    for value in values or ():
        batch.append(value)
        if len(batch) == _CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _fields(value: object, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(value, name) for name in names}


def _feed_state(row: sa.RowMapping) -> FeedState:
    values = {f.name: row[f.name] for f in fields(FeedState)}
    values["item_uids"] = tuple(json.loads(row["item_uids"] or "[]"))
    values["dead"] = bool(row["dead"])
    return FeedState(**values)


def row_to_article(row: sa.RowMapping) -> Article:
    return Article(**{f.name: row[f.name] for f in fields(Article)})
