from __future__ import annotations

import dataclasses
import time
from datetime import timedelta
from pathlib import Path

import pytest

import monitor.pipeline as pipeline_module
import monitor.sources.pool as pool_module
from monitor.factstore import stored_facts
from monitor.model import Article, Feed, Match, PollReport, Rule, SignalGroup
from monitor.pipeline import CycleOptions, poll, scan_feeds
from monitor.rules.load import load_rules_strict
from monitor.rules.match import Matcher
from monitor.sources.fetch import Fetcher, FetchSettings
from monitor.store import Store
from tests.conftest import NOW
from tests.fakes import FakeResolver
from tests.feedserver import FeedServer, Route, rss

SETTINGS = FetchSettings(timeout=2.0, connect_timeout=2.0, concurrency=32, per_host=32,
                         max_bytes=256 * 1024)
RELEVANT = {"title": "EU picks sites for AI gigafactories",
            "link": "https://news.example/eu-ai-gigafactories",
            "guid": "https://news.example/eu-ai-gigafactories",
            "description": "Each site will host 100,000 GPUs to train AI models.",
            "pubDate": "Wed, 25 Nov 2026 14:00:00 GMT"}
OTHER = {"title": "Tesla opens a battery gigafactory", "link": "https://news.example/tesla",
         "description": "Cells for electric cars.", "pubDate": "Wed, 25 Nov 2026 12:00:00 GMT"}


async def run(feeds: list[Feed], rules_dir: Path, store: Store | None,
              since: timedelta | None = None):  # type: ignore[no-untyped-def]
    return await scan_feeds(feeds, rules=load_rules_strict(rules_dir), settings=SETTINGS,
                            store=store, now=NOW,
                            options=CycleOptions(since=since, store_results=store is not None))


async def test_a_scan_reports_matches_with_hits(feed_server: FeedServer, rules_dir: Path,
                                                store: Store) -> None:
    feed_server.routes["/a"] = Route(rss([RELEVANT, OTHER], title="Feed A"))
    report = await run([Feed(feed_server.url("/a"))], rules_dir, store)
    (feed,) = report.feeds
    assert (feed.status, feed.items, feed.new, feed.error) == ("ok", 2, 2, None)
    (item,) = report.items
    assert item.article.title == RELEVANT["title"]
    assert item.article.source == "Feed A"
    (match,) = item.matches
    assert match.rule_id == "compute"
    assert {(h.term, h.field) for h in match.hits} >= {("AI gigafactor*", "title")}


async def test_the_same_article_under_tracking_links_is_stored_once(
        feed_server: FeedServer, rules_dir: Path, store: Store) -> None:
    variants = [dict(RELEVANT, guid=f"guid-{i}",
                     link=RELEVANT["link"] + f"?utm_source=feed{i}&fbclid={i}")
                for i in range(5)]
    feed_server.routes["/a"] = Route(rss(variants[:3]))
    feed_server.routes["/b"] = Route(rss(variants[3:]))
    report = await run([Feed(feed_server.url("/a")), Feed(feed_server.url("/b"))], rules_dir,
                       store)
    assert len(report.items) == 1
    assert len(store.articles_since(None)) == 1
    again = await run([Feed(feed_server.url("/b"))], rules_dir, store)
    assert again.feeds[0].new == 0


async def test_a_second_scan_of_unchanged_feeds_gets_304_and_parses_nothing(
        feed_server: FeedServer, rules_dir: Path, store: Store,
        monkeypatch: pytest.MonkeyPatch) -> None:
    feed_server.routes["/a"] = Route(rss([RELEVANT, OTHER]), etag='"v1"')
    first = await run([Feed(feed_server.url("/a"))], rules_dir, store)

    calls: list[str] = []
    # Every parse goes through the parse pool's function (here, in this process).
    monkeypatch.setattr(pool_module, "parse_feed",
                        lambda *a, **k: calls.append("parsed") or pytest.fail("parsed"))
    second = await run([Feed(feed_server.url("/a"))], rules_dir, store)
    assert second.feeds[0].status == "not_modified"
    assert second.feeds[0].items == 2 and second.feeds[0].new == 0
    assert calls == []
    assert feed_server.hits("/a")[1].headers["if-none-match"] == '"v1"'
    # The matches are still reported, from the store.
    assert [i.article.uid for i in second.items] == [i.article.uid for i in first.items]


async def test_the_same_bytes_without_validators_are_not_parsed_again(
        feed_server: FeedServer, rules_dir: Path, store: Store,
        monkeypatch: pytest.MonkeyPatch) -> None:
    feed_server.routes["/a"] = Route(rss([RELEVANT]))
    await run([Feed(feed_server.url("/a"))], rules_dir, store)
    monkeypatch.setattr(pool_module, "parse_feed", lambda *a, **k: pytest.fail("parsed"))
    second = await run([Feed(feed_server.url("/a"))], rules_dir, store)
    assert second.feeds[0].status == "ok" and len(second.items) == 1


async def test_state_survives_a_restart(feed_server: FeedServer, rules_dir: Path,
                                        tmp_path: Path) -> None:
    feed_server.routes["/a"] = Route(rss([RELEVANT]), etag='"v1"')
    url = f"sqlite:///{tmp_path / 'm.db'}"
    first = Store(url)
    await run([Feed(feed_server.url("/a"))], rules_dir, first)
    first.close()
    reopened = Store(url)
    state = reopened.feed_states()[feed_server.url("/a")]
    assert state.etag == '"v1"' and state.last_status == "ok" and len(state.item_uids) == 1
    assert len(reopened.matches()) == 1
    second = await run([Feed(feed_server.url("/a"))], rules_dir, reopened)
    assert second.feeds[0].status == "not_modified"
    reopened.close()


async def test_since_filters_by_publication(feed_server: FeedServer, rules_dir: Path) -> None:
    old = dict(RELEVANT, link="https://news.example/old", guid="old",
               pubDate="Mon, 02 Nov 2026 10:00:00 GMT")
    feed_server.routes["/a"] = Route(rss([RELEVANT, old]))
    report = await run([Feed(feed_server.url("/a"))], rules_dir, None, timedelta(hours=24))
    assert [i.article.url for i in report.items] == [RELEVANT["link"]]


async def test_failures_are_counted_in_the_feed_state(feed_server: FeedServer, rules_dir: Path,
                                                      store: Store) -> None:
    feed_server.routes["/bad"] = Route(b"oops", status=500)
    for _ in range(2):
        await run([Feed(feed_server.url("/bad"))], rules_dir, store)
    state = store.feed_states()[feed_server.url("/bad")]
    assert state.error_count == 2 and state.failing_since == NOW
    assert "HTTP 500" in (state.last_error or "")


BROKEN = [
    Route(rss([RELEVANT]), delay=8),                        # times out
    Route(b"no", status=404), Route(b"no", status=500),
    Route(b"slow down", status=429, headers={"Retry-After": "60"}),
    Route(status=302, redirect="/loop"),                            # loops (see below)
    Route(b"<!DOCTYPE html><html><body>home</body></html>", content_type="text/html"),
    Route(b""), Route(b"<rss><channel><item><title>x"),           # empty, invalid XML
    Route(b"<rss>" + b"x" * (300 * 1024)),                          # past the cap
    Route(drop=True),
]


@pytest.mark.slow
async def test_300_feeds_with_50_broken_finish_within_the_timeout(
        feed_server: FeedServer, rules_dir: Path, store: Store) -> None:
    feed_server.routes["/loop"] = Route(status=302, redirect="/loop")
    feeds = []
    for index in range(300):
        path = f"/feed/{index}"
        good = dict(RELEVANT, guid=f"g{index}", link=f"https://news.example/{index}")
        feed_server.routes[path] = BROKEN[index % len(BROKEN)] if index < 50 \
            else Route(rss([good, dict(OTHER, link=f"https://news.example/o{index}")]))
        feeds.append(Feed(feed_server.url(path)))
    started = time.monotonic()
    report = await run(feeds, rules_dir, store)
    elapsed = time.monotonic() - started
    failed = [f for f in report.feeds if f.status == "error"]
    assert len(failed) == 50
    assert all(f.error and "\n" not in f.error for f in failed)
    assert len(report.items) == 250
    # Nothing waits for the slow feeds (8 s) beyond the request timeout (2 s), with
    # room for a loaded machine.
    assert elapsed < 7


PAGE = (Path(__file__).parent / "data" / "pages" / "news.html").read_bytes()


async def test_short_promising_items_get_their_page_once(
        feed_server: FeedServer, rules_dir: Path, store: Store) -> None:
    from monitor.config import FullText
    from monitor.sources.guard import AddressGuard
    from monitor.summarise import ExtractiveSummariser

    teaser = {"title": "Nordic operator plans AI data centre campus", "guid": "g-nordic",
              "link": feed_server.url("/article"), "description": "Plans were filed."}
    private = {"title": "Secret data centre plans for AI", "guid": "g-private",
               "link": "http://intranet.test/plans", "description": "Internal."}
    feed_server.routes["/feed"] = Route(rss([teaser, private]))
    feed_server.routes["/article"] = Route(PAGE, content_type="text/html; charset=utf-8")
    resolver = FakeResolver({"intranet.test": ["10.0.0.1"]})
    guard = AddressGuard({feed_server.url("/feed")}, resolver)
    options = CycleOptions(full_text=FullText(candidate_share=0.2), guard=guard,
                           summariser=ExtractiveSummariser())
    rules = load_rules_strict(rules_dir)
    feeds = [Feed(feed_server.url("/feed"))]
    report = await scan_feeds(feeds, rules=rules, settings=SETTINGS, store=store, now=NOW,
                              options=options)
    item = next(i for i in report.items if i.article.title == teaser["title"])
    assert item.article.content.startswith("A Nordic infrastructure company has filed plans")
    assert {h.field for m in item.matches for h in m.hits} >= {"content"}
    assert item.summary and "cookie" not in item.summary.lower()
    # the URL once, though the guard's sentence names it too
    assert report.notes == ("full text of http://intranet.test/plans: refused: its host "
                            "resolves to 10.0.0.1, a private address",)
    assert resolver.calls == ["intranet.test"]
    # A changed feed is parsed again, but the page comes from the cache.
    feed_server.routes["/feed"] = Route(rss([teaser, private, dict(teaser, guid="other",
                                                                   title="Other news")]))
    await scan_feeds(feeds, rules=rules, settings=SETTINGS, store=store, now=NOW,
                     options=options)
    assert len(feed_server.hits("/article")) == 1


async def test_since_fetches_no_page_for_items_outside_the_window(
        feed_server: FeedServer, rules_dir: Path, store: Store) -> None:
    from monitor.config import FullText
    from monitor.sources.guard import AddressGuard

    def teaser(name: str, published: str) -> dict[str, str]:
        return {"title": f"Nordic operator plans AI data centre campus {name}", "guid": name,
                "link": feed_server.url(f"/{name}"), "description": "Plans were filed.",
                "pubDate": published}

    feed_server.routes["/feed"] = Route(rss([teaser("new", "Thu, 26 Nov 2026 06:00:00 GMT"),
                                             teaser("old", "Mon, 23 Nov 2026 06:00:00 GMT")]))
    for name in ("new", "old"):
        feed_server.routes[f"/{name}"] = Route(PAGE, content_type="text/html; charset=utf-8")
    options = CycleOptions(since=timedelta(hours=24), full_text=FullText(candidate_share=0.2),
                           guard=AddressGuard({feed_server.url("/")}, FakeResolver({})))
    report = await scan_feeds([Feed(feed_server.url("/feed"))],
                              rules=load_rules_strict(rules_dir), settings=SETTINGS,
                              store=store, now=NOW, options=options)
    assert [i.article.title for i in report.items] == [teaser("new", "")["title"]]
    assert len(feed_server.hits("/new")) == 1
    assert feed_server.hits("/old") == []


async def test_the_cycle_counts_the_matches_it_stored(feed_server: FeedServer, rules_dir: Path,
                                                      store: Store) -> None:
    feed_server.routes["/a"] = Route(rss([RELEVANT, OTHER]))
    options = CycleOptions(report=False)  # as the daemon polls: no items in the report
    first = await scan_feeds([Feed(feed_server.url("/a"))], rules=load_rules_strict(rules_dir),
                             settings=SETTINGS, store=store, now=NOW, options=options)
    assert (first.items, first.matched) == ((), 1)
    again = await scan_feeds([Feed(feed_server.url("/a"))], rules=load_rules_strict(rules_dir),
                             settings=SETTINGS, store=store, now=NOW, options=options)
    assert again.matched == 0  # nothing new or changed


async def test_a_permanent_redirect_is_followed_from_then_on(
        feed_server: FeedServer, rules_dir: Path, store: Store) -> None:
    feed_server.routes["/old"] = Route(status=301, redirect="/new")
    feed_server.routes["/new"] = Route(rss([RELEVANT]))
    await run([Feed(feed_server.url("/old"))], rules_dir, store)
    state = store.feed_states()[feed_server.url("/old")]
    assert state.moved_to == feed_server.url("/new")
    second = await run([Feed(feed_server.url("/old"))], rules_dir, store)
    assert second.feeds[0].url == feed_server.url("/old")
    assert len(feed_server.hits("/old")) == 1 and len(feed_server.hits("/new")) == 2


async def test_a_410_marks_the_feed_dead(feed_server: FeedServer, rules_dir: Path,
                                         store: Store) -> None:
    feed_server.routes["/gone"] = Route(b"", status=410)
    report = await run([Feed(feed_server.url("/gone"))], rules_dir, store)
    assert "removed this feed" in (report.feeds[0].error or "")
    state = store.feed_states()[feed_server.url("/gone")]
    assert state.dead and state.next_poll == NOW + timedelta(hours=24)


class _CountingMatcher(Matcher):
    """A matcher that records the uids it is asked to match."""

    def __init__(self, rules: list[Rule]) -> None:
        super().__init__(rules)
        self.matched: list[str] = []

    def match(self, article: Article) -> list[Match]:
        self.matched.append(article.uid)
        return super().match(article)


async def _poll(feeds: list[Feed], matcher: Matcher, store: Store) -> PollReport:
    async with Fetcher(SETTINGS) as fetcher:
        return await poll(feeds, fetcher=fetcher, matcher=matcher, store=store, now=NOW)


async def test_only_new_or_edited_articles_are_matched_again(
        feed_server: FeedServer, rules_dir: Path, store: Store) -> None:
    rules = load_rules_strict(rules_dir)
    feed_server.routes["/a"] = Route(rss([RELEVANT, OTHER]), etag='"v1"')
    feed_server.routes["/b"] = Route(rss([dict(RELEVANT, guid="b1", link="https://n.example/b1")]),
                                     etag='"b"')
    feeds = [Feed(feed_server.url("/a")), Feed(feed_server.url("/b"))]
    first = await _poll(feeds, _CountingMatcher(rules), store)
    edited = dict(OTHER, title="Tesla turns its plant into an AI data centre",
                  description="It will hold 100,000 GPUs to train AI models.")
    added = dict(RELEVANT, guid="urn:story:new", link="https://news.example/new")
    feed_server.routes["/a"] = Route(rss([RELEVANT, edited, added]), etag='"v2"')
    matcher = _CountingMatcher(rules)
    second = await _poll(feeds, matcher, store)
    # RELEVANT kept its text, so its stored match is reused; /b answered 304.
    assert sorted(matcher.matched) == sorted([OTHER["link"], "urn:story:new"])
    assert [f.status for f in second.feeds] == ["ok", "not_modified"]
    assert {i.article.uid for i in second.items} == \
        {i.article.uid for i in first.items} | {"urn:story:new", OTHER["link"]}
    assert store.matches([OTHER["link"]])  # the edit's match is stored


async def test_facts_are_read_from_new_or_edited_matched_text_and_stored(
        feed_server: FeedServer, rules_dir: Path, store: Store,
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = pipeline_module.article_facts
    monkeypatch.setattr(pipeline_module, "article_facts",
                        lambda a: calls.append(a.uid) or real(a))
    uid, tesla = RELEVANT["guid"], OTHER["link"]
    feed_server.routes["/a"] = Route(rss([RELEVANT, OTHER]), etag='"v1"')
    feeds = [Feed(feed_server.url("/a"))]
    first = await run(feeds, rules_dir, store)
    assert calls == [uid]  # the battery plant did not match: no facts read
    assert stored_facts(store, [uid, tesla])[uid].gpus == (100000,)
    assert first.items[0].facts == stored_facts(store, [uid])[uid]
    second = await run(feeds, rules_dir, store)  # a 304: nothing read again ...
    assert second.feeds[0].status == "not_modified" and calls == [uid]
    assert second.items[0].facts is not None and second.items[0].facts.gpus == (100000,)
    edited = dict(RELEVANT, description="Each site will host 250,000 GPUs to train AI models.")
    feed_server.routes["/a"] = Route(rss([edited, OTHER]), etag='"v2"')
    await run(feeds, rules_dir, store)  # ... an edit is read again
    assert calls == [uid, uid] and stored_facts(store, [uid])[uid].gpus == (250000,)
    unmatched = dict(RELEVANT, title="EU picks sites for battery plants", description="Cells.")
    feed_server.routes["/a"] = Route(rss([unmatched, OTHER]), etag='"v3"')
    await run(feeds, rules_dir, store)
    assert stored_facts(store, [uid]) == {}  # no longer a match: its facts go too


async def test_changed_rules_match_every_current_article_again(
        feed_server: FeedServer, rules_dir: Path, store: Store) -> None:
    rules = load_rules_strict(rules_dir)
    feed_server.routes["/a"] = Route(rss([RELEVANT, OTHER]), etag='"v1"')
    feeds = [Feed(feed_server.url("/a"))]
    await _poll(feeds, _CountingMatcher(rules), store)
    wider = [dataclasses.replace(rules[0], exclude=(), require=(), threshold=1.0,
                                 signals=(*rules[0].signals, SignalGroup(("gigafactor*",), 5)))]
    matcher = _CountingMatcher(wider)
    report = await _poll(feeds, matcher, store)
    assert report.feeds[0].status == "not_modified"
    assert sorted(matcher.matched) == sorted([RELEVANT["guid"], OTHER["link"]])
    assert len(report.items) == 2
    again = _CountingMatcher(wider)
    assert len((await _poll(feeds, again, store)).items) == 2
    assert again.matched == []


async def test_a_cycle_in_many_batches_reports_what_one_batch_does(
        feed_server: FeedServer, rules_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    feeds = []
    for index in range(7):
        # Every feed repeats the previous feed's story: repeats cross batch borders.
        items = [dict(RELEVANT, guid=f"urn:story:{n}", link=f"https://news.example/{n}")
                 for n in (index, index + 1)]
        feed_server.routes[f"/f{index}"] = Route(rss([*items, OTHER]), etag=f'"{index}"')
        feeds.append(Feed(feed_server.url(f"/f{index}")))
    reports = []
    for batch in (100, 2):
        monkeypatch.setattr(pipeline_module, "BATCH_FEEDS", batch)
        store = Store(f"sqlite:///{tmp_path / f'{batch}.db'}")
        cold = await run(feeds, rules_dir, store)
        warm = await run(feeds, rules_dir, store)
        # Which feed a repeated story counts under may vary across batches; what was
        # found, stored and reported in all may not.
        reports.append(([(f.url, f.status) for f in cold.feeds],
                        sum(f.items for f in cold.feeds), sum(f.new for f in cold.feeds),
                        sorted(i.article.uid for i in cold.items),
                        [(f.url, f.status, f.new) for f in warm.feeds],
                        sorted(i.article.uid for i in warm.items),
                        len(store.articles_since(None))))
        store.close()
    assert reports[0] == reports[1]
    assert reports[0][1:4] == (9, 9, sorted(f"urn:story:{n}" for n in range(8)))
