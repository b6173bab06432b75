"""Where the stages meet: fetch -> parse -> identify -> match -> store, for one cycle.

This is the only module that wires stages together; each stage stays unaware of the
others. The clock is read by the caller and passed in as `now`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitor import __version__
from monitor.config import FullText
from monitor.digest import group_stories
from monitor.facts.extract import article_facts
from monitor.factstore import load_facts, save_facts
from monitor.model import (
    Article,
    Facts,
    Feed,
    FeedReport,
    FeedState,
    Item,
    Match,
    PollReport,
    Rule,
)
from monitor.rules.match import Matcher
from monitor.sources.feeder import Feeder, FeedRequest
from monitor.sources.fetch import Fetched, Fetcher, FetchSettings, Guard
from monitor.sources.fulltext import enrich
from monitor.sources.outcome import FeedOutcome, next_state, parse_all, report_line
from monitor.sources.pool import ParsePool
from monitor.store import Store
from monitor.summarise import Summariser

Progress = Callable[[int, int], None]  # (done, total)
# Feeds parsed, matched and stored together: enough to keep every core busy, few enough
# that a cycle's memory does not grow with the number of feeds. A batch waits at most
# BATCH_WAIT seconds to fill, and at most WINDOW feeds are fetched and not yet stored.
BATCH_FEEDS = 100
BATCH_WAIT = 0.5
WINDOW = 3 * BATCH_FEEDS
RULES_KEY = "rules_fingerprint"  # meta key: the rules the stored matches were made with


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
    # Gather the matched items (with summaries and stories) into the report, as a scan
    # prints them. The daemon only stores matches: without the report an unchanged feed
    # costs its conditional request and nothing more.
    report: bool = True


def rules_fingerprint(rules: Sequence[Rule]) -> str:
    """Changes when the rules or the matcher change, and with them what a stored match means."""
    return hashlib.sha256(f"{__version__}\n{rules!r}".encode()).hexdigest()


@dataclass(slots=True)
class _Cycle:
    """What one cycle carries from batch to batch."""

    reuse: bool  # the stored matches were made by these rules: unchanged text keeps them
    seen_uids: set[str] = field(default_factory=set)
    seen_urls: set[str] = field(default_factory=set)
    items: dict[str, Item] = field(default_factory=dict)  # matched articles the feeds hold
    reports: list[tuple[int, FeedReport]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    matched: int = 0  # articles whose matches this cycle stored


async def poll(feeds: Sequence[Feed], *, fetcher: Fetcher, matcher: Matcher,
               store: Store | None, now: datetime, options: CycleOptions = CycleOptions(),
               progress: Progress | None = None, parser: ParsePool | None = None) -> PollReport:
    """Fetch, parse, match and (optionally) store one cycle over `feeds`, a batch at a time.

    Feeds are taken in batches as their fetches finish. A batch is parsed (in `parser`'s
    worker processes) while the one before it is matched and stored here and the next
    ones download, so a slow feed holds up only itself, and the memory a cycle needs is a
    few batches' worth whatever the number of feeds. Only new or changed text is matched.
    """
    states = store.feed_states(f.url for f in feeds) if store is not None else {}
    fingerprint = rules_fingerprint(matcher.rules)
    cycle = _Cycle(reuse=store is not None and store.get_meta(RULES_KEY) == fingerprint)
    feeder = _feeder(feeds, states, fetcher, progress)
    previous: list[FeedOutcome] = []
    parsing: asyncio.Future[None] | None = None
    try:
        while fetched := await feeder.batch():
            # In feed order within a batch: which feed an article repeated in several is
            # credited to does not depend on which answered first (across batches it may).
            batch = [_outcome(i, feeds[i], f, states) for i, f in sorted(fetched,
                                                                         key=lambda p: p[0])]
            parsing = asyncio.ensure_future(parse_all(batch, parser))
            await asyncio.sleep(0)  # let it hand the bodies to the workers first
            await _process(previous, cycle, fetcher, matcher, store, now, options)
            feeder.release(len(previous))
            await parsing
            previous = batch
        await _process(previous, cycle, fetcher, matcher, store, now, options)
    finally:
        feeder.close()
        if parsing is not None:
            parsing.cancel()
    if store is not None and options.store_results and not cycle.reuse:
        store.set_meta(RULES_KEY, fingerprint)  # every current article was matched again
    items = tuple(_summarised(i, options) for i in _items(cycle.items, now, options.since))
    stories = {item.article.uid: story.id for story in group_stories(items)
               for item in story.items} if options.report else {}
    return PollReport(
        generated_at=now,
        feeds=tuple(report for _, report in sorted(cycle.reports, key=lambda r: r[0])),
        items=items,
        stories=stories,
        notes=tuple(cycle.notes),
        matched=cycle.matched,
    )


def _feeder(feeds: Sequence[Feed], states: dict[str, FeedState], fetcher: Fetcher,
            progress: Progress | None) -> Feeder:
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, len(feeds))

    # A feed that moved permanently is fetched at its new address from then on.
    requests = [FeedRequest(s.moved_to or f.url, s.etag, s.last_modified)
                for f in feeds for s in [states.get(f.url) or FeedState(f.url)]]
    return Feeder(fetcher, requests, batch=BATCH_FEEDS, wait=BATCH_WAIT, window=WINDOW,
                  tick=tick)


def _outcome(index: int, feed: Feed, fetched: Fetched, states: dict[str, FeedState]
             ) -> FeedOutcome:
    if fetched.url != feed.url:
        fetched = dataclasses.replace(fetched, url=feed.url)
    return FeedOutcome(index, feed, fetched, states.get(feed.url) or FeedState(feed.url))


async def _process(outcomes: list[FeedOutcome], cycle: _Cycle, fetcher: Fetcher,
                   matcher: Matcher, store: Store | None, now: datetime,
                   options: CycleOptions) -> None:
    """Identify, match and store one parsed batch; add its reports and items to `cycle`."""
    if not outcomes:
        return
    known = _identify(outcomes, store, cycle)
    cycle.notes.extend(await _enrich(outcomes, fetcher, matcher, store, now, options))
    fresh = {a.uid: a for o in outcomes if o.parsed for a in o.articles}
    stored = store.articles([u for u in fresh if u in known]) \
        if store is not None and cycle.reuse else {}
    # Only new text is matched: an article as stored keeps the matches stored with it.
    changed = [a for a in fresh.values() if stored.get(a.uid) != a]
    found = {a.uid: matcher.match(a) for a in changed}
    # Facts are read from new or changed text that matched, and stored with its matches.
    facts = {a.uid: article_facts(a) for a in changed if found[a.uid]}
    current: dict[str, Article] = dict(fresh)
    unchanged = [u for u in fresh if u not in found]
    unchanged += [u for o in outcomes if not o.parsed and o.error is None
                  for u in o.state.item_uids]
    if store is not None and unchanged and (options.report or not cycle.reuse):
        current, kept = _stored(store, cycle.reuse, unchanged, current, matcher)
        found = kept | found  # text matched just now wins over a stored match
    if store is not None and options.store_results:
        rematched = {a.uid: found[a.uid] for a in changed} if cycle.reuse else found
        _save(store, outcomes, changed, rematched, facts, now, options.rng)
        cycle.matched += sum(1 for matches in rematched.values() if matches)
    if options.report:
        _report_items(cycle, store, current, found, facts)
    cycle.reports.extend((o.index, report_line(o)) for o in outcomes)


def _report_items(cycle: _Cycle, store: Store | None, current: dict[str, Article],
                  found: dict[str, list[Match]], facts: dict[str, Facts]) -> None:
    """The matched items for the report, with their facts (the stored ones for text
    unchanged since it was stored)."""
    matched = [uid for uid, matches in found.items() if matches and uid in current]
    rest = [current[uid] for uid in matched if uid not in facts]
    facts = facts | (load_facts(store, rest) if store is not None and rest else {})
    cycle.items.update((uid, Item(current[uid], tuple(found[uid]), facts=facts.get(uid)))
                       for uid in matched)


def _stored(store: Store, reuse: bool, uids: list[str], current: dict[str, Article],
            matcher: Matcher) -> tuple[dict[str, Article], dict[str, list[Match]]]:
    """Articles and matches for uids whose text did not change since it was stored.

    With the rules unchanged, only the matched ones are read, with their stored matches;
    otherwise every one is read and matched again.
    """
    if reuse:
        found = store.matches(uids)
        articles = store.articles([u for u in found if u not in current])
    else:
        articles = store.articles([u for u in uids if u not in current])
        found = {uid: matcher.match(article) for uid, article in articles.items()}
    # A uid in a parsed feed keeps the parsed text; one in two unchanged feeds is kept once.
    return {**articles, **current}, {u: m for u, m in found.items()
                                     if u in articles or u in current}


async def _enrich(outcomes: list[FeedOutcome], fetcher: Fetcher, matcher: Matcher,
                  store: Store | None, now: datetime, options: CycleOptions) -> tuple[str, ...]:
    """Full text for the freshly parsed articles that need it (and that the report's
    window keeps: a page is not fetched for an item nobody will see)."""
    if options.full_text is None or not options.full_text.enabled:
        return ()
    cutoff = now - options.since if options.since is not None else None
    fresh = [a for o in outcomes if o.parsed for a in o.articles
             if cutoff is None or a.published is None or a.published >= cutoff]
    result = await enrich(fresh, matcher=matcher, settings=options.full_text, fetcher=fetcher,
                          guard=options.guard, cache=store)
    by_uid = {a.uid: a for a in result.articles}
    for outcome in outcomes:
        if outcome.parsed:
            outcome.articles = [by_uid.get(a.uid, a) for a in outcome.articles]
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


def _identify(outcomes: list[FeedOutcome], store: Store | None, cycle: _Cycle) -> set[str]:
    """Drop repeats of one article (same uid or canonical URL) and count the new ones.

    Returns the uids of the batch that the store already holds.
    """
    uids: set[str] = set()
    urls: set[str] = set()
    for outcome in outcomes:
        unique = []
        for article in outcome.articles:
            if article.uid in cycle.seen_uids or (article.url and article.url in cycle.seen_urls):
                continue
            cycle.seen_uids.add(article.uid)
            uids.add(article.uid)
            if article.url:
                cycle.seen_urls.add(article.url)
                urls.add(article.url)
            unique.append(article)
        outcome.articles = unique
    if store is None:
        for outcome in outcomes:
            outcome.new = len(outcome.articles)
        return set()
    known = store.known(uids)
    by_url = store.known_urls(urls)
    for outcome in outcomes:
        # The same page under another uid (a new guid, a tracking link) is not new.
        outcome.articles = [a for a in outcome.articles
                            if a.uid in known or by_url.get(a.url, a.uid) == a.uid]
        outcome.new = sum(a.uid not in known for a in outcome.articles)
    return known


def _save(store: Store, outcomes: list[FeedOutcome], changed: list[Article],
          found: dict[str, list[Match]], facts: dict[str, Facts], now: datetime,
          rng: random.Random) -> None:
    states = [next_state(o, now, rng) for o in outcomes]
    # Stored feeds whose item list this cycle left as it was (a 304, the same bytes).
    same = [s.url for s, o in zip(states, outcomes, strict=True)
            if s.item_uids == o.state.item_uids and o.state.last_attempt is not None]
    with store.begin() as connection:
        store.save_feed_states(states, connection, same_items=same)
        store.save_articles(changed, now, connection)
        store.save_matches(found, now, connection)
        save_facts(connection, (a.uid for a in changed), facts)


def _items(found: dict[str, Item], now: datetime, since: timedelta | None) -> tuple[Item, ...]:
    cutoff = now - since if since is not None else None
    items = [item for item in found.values()
             if cutoff is None or item.article.published is None
             or item.article.published >= cutoff]
    items.sort(key=lambda i: (-i.score, -(i.article.published or now).timestamp(),
                              i.article.uid))
    return tuple(items)


async def scan_feeds(feeds: Sequence[Feed], *, rules: Sequence[Rule], settings: FetchSettings,
                     store: Store | None, now: datetime, options: CycleOptions = CycleOptions(),
                     progress: Progress | None = None, matcher: Matcher | None = None,
                     parser: ParsePool | None = None) -> PollReport:
    """One cycle with one HTTP client, and a matcher and a parse pool unless given.

    With an AddressGuard, every hop of every request is checked and direct connections go
    only to the addresses it has just checked, so a DNS answer that changes between check
    and connect cannot slip through. Proxies come from `settings.proxy` or the environment.
    """
    matcher = matcher or Matcher(rules)
    with ParsePool() if parser is None else contextlib.nullcontext(parser) as pool:
        async with Fetcher(settings, guard=options.guard) as fetcher:
            return await poll(feeds, fetcher=fetcher, matcher=matcher, store=store, now=now,
                              options=options, progress=progress, parser=pool)


def run_scan(feeds: Sequence[Feed], *, rules: Sequence[Rule], settings: FetchSettings,
             store: Store | None, now: datetime, options: CycleOptions = CycleOptions(),
             progress: Progress | None = None, matcher: Matcher | None = None) -> PollReport:
    """`scan_feeds` from synchronous code.

    The report is handed back through a list rather than as the coroutine's result: in
    the main thread asyncio.run keeps the finished task in its SIGINT handler, and when
    it restores the old handler Python formats that handler's repr, the task and its
    result included. For a report of thousands of articles that repr costs more than a
    whole warm cycle.
    """
    box: list[PollReport] = []

    async def main() -> None:
        box.append(await scan_feeds(feeds, rules=rules, settings=settings, store=store,
                                    now=now, options=options, progress=progress,
                                    matcher=matcher))

    asyncio.run(main())
    return box[0]
