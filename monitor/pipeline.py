"""Where the stages meet: fetch -> parse -> identify -> match -> store, for one cycle.

This is the only module that wires stages together; each stage stays unaware of the
others. The clock is read by the caller and passed in as `now`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitor.config import FullText
from monitor.digest import group_stories
from monitor.errors import ParseError
from monitor.model import Article, Feed, FeedReport, FeedState, Item, Match, PollReport, Rule
from monitor.rules.match import Matcher
from monitor.sources.fetch import Fetched, Fetcher, FetchSettings, Guard
from monitor.sources.fulltext import enrich
from monitor.sources.guard import AddressGuard, pinned_transport
from monitor.sources.parse import ParsedFeed, parse_feed
from monitor.sources.policy import next_poll
from monitor.sources.state import after_failure, after_success
from monitor.store import Store
from monitor.summarise import Summariser

Progress = Callable[[int, int], None]  # (done, total)


@dataclass(slots=True)
class _FeedOutcome:
    feed: Feed
    fetched: Fetched
    state: FeedState
    articles: list[Article] = field(default_factory=list)
    parsed: bool = False
    error: str | None = None
    warning: str | None = None
    title: str = ""
    ttl_minutes: int | None = None
    new: int = 0


@dataclass(frozen=True, slots=True)
class CycleOptions:
    since: timedelta | None = None  # report only items published (or first seen) since
    store_results: bool = True
    rng: random.Random = field(default_factory=random.Random)  # poll-time jitter
    full_text: FullText | None = None  # None: never fetch article pages
    guard: Guard | None = None  # for article links from feeds
    summariser: Summariser | None = None
    sentences: int = 3
    summary_chars: int = 600


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


async def poll(feeds: Sequence[Feed], *, fetcher: Fetcher, matcher: Matcher,
               store: Store | None, now: datetime, options: CycleOptions = CycleOptions(),
               progress: Progress | None = None) -> PollReport:
    """Fetch, parse, match and (optionally) store one cycle over `feeds`."""
    states = store.feed_states(f.url for f in feeds) if store is not None else {}
    outcomes = await _fetch(feeds, states, fetcher, progress)
    for outcome in outcomes:
        _parse(outcome)
    _identify(outcomes, store)
    notes = await _enrich(outcomes, fetcher, matcher, store, options)
    articles = _current_articles(outcomes, store)
    found = {a.uid: matcher.match(a) for a in articles.values()}
    if store is not None and options.store_results:
        _save(store, outcomes, articles, found, now, options.rng)
    items = tuple(_summarised(i, options) for i in _items(articles, found, now, options.since))
    stories = {item.article.uid: story.id for story in group_stories(items)
               for item in story.items}
    return PollReport(
        generated_at=now,
        feeds=tuple(_report(o) for o in outcomes),
        items=items,
        stories=stories,
        notes=notes,
    )


async def _enrich(outcomes: list[_FeedOutcome], fetcher: Fetcher, matcher: Matcher,
                  store: Store | None, options: CycleOptions) -> tuple[str, ...]:
    """Full text for the freshly parsed articles that need it."""
    if options.full_text is None or not options.full_text.enabled:
        return ()
    fresh = [a for o in outcomes if o.parsed for a in o.articles]
    result = await enrich(fresh, matcher=matcher, settings=options.full_text, fetcher=fetcher,
                          guard=options.guard, cache=store)
    by_uid = {a.uid: a for a in result.articles}
    for outcome in outcomes:
        if outcome.parsed:
            outcome.articles = [by_uid[a.uid] for a in outcome.articles]
    return result.notes


def _summarised(item: Item, options: CycleOptions) -> Item:
    if options.summariser is None:
        return item
    return summarise_item(options.summariser, item, options.sentences, options.summary_chars)


def summarise_item(summariser: Summariser, item: Item, sentences: int, budget: int) -> Item:
    """The item with its summary filled (from its text, boosted by its rule hits)."""
    a = item.article
    text = a.content or a.summary
    if item.summary or not text:
        return item
    summary = summariser.summarise(text, title=a.title,
                                   hits=[h for m in item.matches for h in m.hits],
                                   sentences=sentences, budget=budget)
    return dataclasses.replace(item, summary=summary.text)


async def _fetch(feeds: Sequence[Feed], states: dict[str, FeedState], fetcher: Fetcher,
                 progress: Progress | None) -> list[_FeedOutcome]:
    done = 0

    async def one(feed: Feed) -> _FeedOutcome:
        nonlocal done
        state = states.get(feed.url) or FeedState(feed.url)
        # A feed that moved permanently is fetched at its new address from then on.
        fetched = await fetcher.fetch(state.moved_to or feed.url, etag=state.etag,
                                      last_modified=state.last_modified)
        if fetched.url != feed.url:
            fetched = dataclasses.replace(fetched, url=feed.url)
        done += 1
        if progress is not None:
            progress(done, len(feeds))
        return _FeedOutcome(feed, fetched, state)

    return list(await asyncio.gather(*(one(feed) for feed in feeds)))


def _parse(outcome: _FeedOutcome) -> None:
    fetched = outcome.fetched
    if fetched.status == "error":
        outcome.error = fetched.error
        return
    if fetched.status == "not_modified":
        return
    if outcome.state.body_hash == body_hash(fetched.body) and outcome.state.item_uids:
        return  # the same bytes as last time: nothing to parse
    try:
        parsed: ParsedFeed = parse_feed(fetched.body, url=outcome.feed.url,
                                        headers=fetched.headers, name=outcome.feed.name)
    except ParseError as exc:
        outcome.error = str(exc)
        return
    outcome.parsed = True
    outcome.articles = list(parsed.articles)
    outcome.warning = parsed.warning
    outcome.title = parsed.title
    outcome.ttl_minutes = parsed.ttl_minutes


def _identify(outcomes: list[_FeedOutcome], store: Store | None) -> None:
    """Drop repeats of one article (same uid or canonical URL) and count the new ones."""
    seen_uids: set[str] = set()
    seen_urls: set[str] = set()
    for outcome in outcomes:
        unique = []
        for article in outcome.articles:
            if article.uid in seen_uids or (article.url and article.url in seen_urls):
                continue
            seen_uids.add(article.uid)
            if article.url:
                seen_urls.add(article.url)
            unique.append(article)
        outcome.articles = unique
    if store is None:
        for outcome in outcomes:
            outcome.new = len(outcome.articles)
        return
    known = store.known(seen_uids)
    by_url = store.known_urls(seen_urls)
    for outcome in outcomes:
        # The same page under another uid (a new guid, a tracking link) is not new.
        outcome.articles = [a for a in outcome.articles
                            if a.uid in known or by_url.get(a.url, a.uid) == a.uid]
        outcome.new = sum(a.uid not in known for a in outcome.articles)


def _current_articles(outcomes: list[_FeedOutcome], store: Store | None) -> dict[str, Article]:
    """The articles the feeds hold now: parsed ones, and stored ones for unchanged feeds."""
    current: dict[str, Article] = {}
    unchanged: list[str] = []
    for outcome in outcomes:
        if outcome.parsed:
            current.update((a.uid, a) for a in outcome.articles)
        elif outcome.error is None:
            unchanged.extend(outcome.state.item_uids)
    if unchanged and store is not None:
        for uid, article in store.articles(unchanged).items():
            current.setdefault(uid, article)
    return current


def _save(store: Store, outcomes: list[_FeedOutcome], articles: dict[str, Article],
          found: dict[str, list[Match]], now: datetime, rng: random.Random) -> None:
    fresh = [a for o in outcomes if o.parsed for a in o.articles]
    states = [_next_state(o, now, rng) for o in outcomes]
    with store.begin() as connection:
        store.save_feed_states(states, connection)
        store.save_articles(fresh, now, connection)
        store.save_matches({uid: found.get(uid, []) for uid in articles}, now, connection)


def _next_state(outcome: _FeedOutcome, now: datetime, rng: random.Random) -> FeedState:
    fetched = outcome.fetched
    if outcome.error is not None:
        state = after_failure(outcome.state, fetched, now, outcome.error)
    else:
        uids = tuple(a.uid for a in outcome.articles) if outcome.parsed \
            else outcome.state.item_uids
        digest = body_hash(fetched.body) if fetched.status == "ok" else None
        state = after_success(outcome.state, fetched, now, title=outcome.title,
                              body_hash=digest, item_uids=uids)
        if outcome.parsed:
            state = dataclasses.replace(state, ttl_minutes=outcome.ttl_minutes)
    status = "error" if outcome.error is not None else fetched.status
    when = next_poll(state, interval=outcome.feed.interval, now=now, status=status,
                     ttl_minutes=state.ttl_minutes, headers=fetched.headers, rng=rng)
    return dataclasses.replace(state, next_poll=when)


def _report(outcome: _FeedOutcome) -> FeedReport:
    fetched = outcome.fetched
    items = len(outcome.articles) if outcome.parsed else len(outcome.state.item_uids)
    return FeedReport(
        url=outcome.feed.url,
        status="error" if outcome.error else fetched.status,
        items=0 if outcome.error else items,
        new=outcome.new,
        error=outcome.error,
        elapsed_ms=fetched.elapsed_ms,
        name=outcome.feed.name or outcome.title or outcome.state.title,
        final_url=fetched.final_url,
        warning=outcome.warning,
    )


def _items(articles: dict[str, Article], found: dict[str, list[Match]], now: datetime,
           since: timedelta | None) -> tuple[Item, ...]:
    cutoff = now - since if since is not None else None
    items = [
        Item(article, tuple(found[uid]))
        for uid, article in articles.items()
        if found.get(uid) and (cutoff is None or article.published is None
                               or article.published >= cutoff)
    ]
    items.sort(key=lambda i: (-i.score, -(i.article.published or now).timestamp(),
                              i.article.uid))
    return tuple(items)


async def scan_feeds(feeds: Sequence[Feed], *, rules: Sequence[Rule], settings: FetchSettings,
                     store: Store | None, now: datetime, options: CycleOptions = CycleOptions(),
                     progress: Progress | None = None,
                     matcher: Matcher | None = None) -> PollReport:
    """One cycle with a fresh matcher and one HTTP client for the run.

    With an AddressGuard, every connection goes only to addresses the guard has just
    checked, so a DNS answer that changes between check and connect cannot slip through.
    """
    matcher = matcher or Matcher(rules)
    transport = pinned_transport(options.guard, settings.concurrency) \
        if isinstance(options.guard, AddressGuard) else None
    async with Fetcher(settings, transport=transport) as fetcher:
        return await poll(feeds, fetcher=fetcher, matcher=matcher, store=store, now=now,
                          options=options, progress=progress)
