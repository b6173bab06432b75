from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.model import Feed
from monitor.pipeline import CycleOptions, scan_feeds
from monitor.rules.load import load_rules_strict
from monitor.sources.fetch import FetchSettings
from monitor.store import Store
from tests.conftest import NOW
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

    import monitor.pipeline as pipeline
    calls: list[str] = []
    monkeypatch.setattr(pipeline, "parse_feed",
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
    import monitor.pipeline as pipeline
    monkeypatch.setattr(pipeline, "parse_feed", lambda *a, **k: pytest.fail("parsed"))
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


class FakeResolver:
    """Names that "resolve" without any DNS traffic."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def resolve(self, host: str) -> list[str]:
        self.asked.append(host)
        return self.table.get(host, [])


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
    guard = AddressGuard({"127.0.0.1"}, resolver)
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
    assert report.notes == ("full text of http://intranet.test/plans: refused "
                            "http://intranet.test/plans: its host resolves to 10.0.0.1, "
                            "a private address",)
    assert resolver.asked == ["intranet.test"]
    # A changed feed is parsed again, but the page comes from the cache.
    feed_server.routes["/feed"] = Route(rss([teaser, private, dict(teaser, guid="other",
                                                                   title="Other news")]))
    await scan_feeds(feeds, rules=rules, settings=SETTINGS, store=store, now=NOW,
                     options=options)
    assert len(feed_server.hits("/article")) == 1


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
