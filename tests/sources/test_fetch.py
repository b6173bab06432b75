from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from monitor.errors import BlockedURLError
from monitor.sources.fetch import USER_AGENT, Fetcher, FetchSettings
from tests.feedserver import FeedServer, Route, rss

FEED = rss([{"title": "One", "link": "https://x.example/1"}])
LAST = "Wed, 25 Nov 2026 10:00:00 GMT"
FAST = FetchSettings(timeout=2.0, connect_timeout=1.0, max_bytes=64 * 1024)


async def fetch(server: FeedServer, path: str, settings: FetchSettings = FAST, **kwargs: object):  # type: ignore[no-untyped-def]
    async with Fetcher(settings) as fetcher:
        return await fetcher.fetch(server.url(path), **kwargs)  # type: ignore[arg-type]


async def test_ok_body_headers_and_user_agent(feed_server: FeedServer) -> None:
    feed_server.routes["/feed"] = Route(FEED, etag='"v1"', last_modified=LAST)
    result = await fetch(feed_server, "/feed")
    assert result.status == "ok" and result.code == 200
    assert result.body == FEED
    assert result.headers["etag"] == '"v1"'
    assert feed_server.hits("/feed")[0].headers["user-agent"] == USER_AGENT
    assert result.final_url == feed_server.url("/feed")


async def test_conditional_get_gives_not_modified(feed_server: FeedServer) -> None:
    feed_server.routes["/feed"] = Route(FEED, etag='"v1"', last_modified=LAST)
    result = await fetch(feed_server, "/feed", etag='"v1"',
                         last_modified="Wed, 25 Nov 2026 10:00:00 GMT")
    assert result.status == "not_modified" and result.body == b""
    headers = feed_server.hits("/feed")[0].headers
    assert headers["if-none-match"] == '"v1"'
    assert headers["if-modified-since"] == "Wed, 25 Nov 2026 10:00:00 GMT"


@pytest.mark.parametrize(("status", "words"), [
    (404, "HTTP 404"), (410, "removed this feed"), (403, "refuses access"),
    (500, "HTTP 500"), (503, "it will be retried"), (429, "rate-limiting"),
])
async def test_http_errors_are_one_sentence(feed_server: FeedServer, status: int,
                                            words: str) -> None:
    feed_server.routes["/feed"] = Route(b"nope", status=status, headers={"Retry-After": "120"})
    result = await fetch(feed_server, "/feed")
    assert result.status == "error" and result.code == status
    assert words in (result.error or "")
    assert "\n" not in (result.error or "")


async def test_429_mentions_retry_after(feed_server: FeedServer) -> None:
    feed_server.routes["/feed"] = Route(b"", status=429, headers={"Retry-After": "120"})
    result = await fetch(feed_server, "/feed")
    assert "after 120 s" in (result.error or "")
    assert result.headers["retry-after"] == "120"


async def test_redirects_are_followed_and_recorded(feed_server: FeedServer) -> None:
    feed_server.routes["/old"] = Route(status=301, redirect="/middle")
    feed_server.routes["/middle"] = Route(status=308, redirect="/new")
    feed_server.routes["/new"] = Route(FEED)
    result = await fetch(feed_server, "/old")
    assert result.status == "ok"
    assert result.final_url == feed_server.url("/new")
    assert result.moved_to == feed_server.url("/new")


async def test_a_temporary_redirect_is_not_a_move(feed_server: FeedServer) -> None:
    feed_server.routes["/old"] = Route(status=302, redirect="/new")
    feed_server.routes["/new"] = Route(FEED)
    result = await fetch(feed_server, "/old")
    assert result.final_url == feed_server.url("/new") and result.moved_to is None


async def test_a_redirect_loop_stops(feed_server: FeedServer) -> None:
    feed_server.routes["/a"] = Route(status=302, redirect="/b")
    feed_server.routes["/b"] = Route(status=302, redirect="/a")
    result = await fetch(feed_server, "/a")
    assert result.status == "error"
    assert "redirect loop" in (result.error or "")
    assert len(feed_server.requests) == FAST.max_redirects + 1


async def test_a_slow_server_is_cut_at_the_timeout(feed_server: FeedServer) -> None:
    feed_server.routes["/slow"] = Route(FEED, delay=3)
    settings = FetchSettings(timeout=0.5, connect_timeout=0.5)
    result = await fetch(feed_server, "/slow", settings)
    assert result.status == "error" and "0.5 s" in (result.error or "")
    assert result.elapsed_ms < 2000


async def test_a_trickling_body_is_cut_at_the_total_timeout(feed_server: FeedServer) -> None:
    feed_server.routes["/trickle"] = Route(b"x" * 200, trickle=0.02)
    settings = FetchSettings(timeout=0.5, connect_timeout=0.5)
    result = await fetch(feed_server, "/trickle", settings)
    assert result.status == "error" and "timeout" in (result.error or "")
    assert result.elapsed_ms < 2000


async def test_the_size_cap_applies(feed_server: FeedServer) -> None:
    feed_server.routes["/big"] = Route(b"<rss>" + b"x" * (FAST.max_bytes + 10))
    result = await fetch(feed_server, "/big")
    assert result.status == "error" and "cap" in (result.error or "")


async def test_a_gzip_bomb_stops_at_the_cap(feed_server: FeedServer) -> None:
    # 50 MB of zeros compresses to about 50 KB; the cap is on what it inflates to.
    feed_server.routes["/bomb"] = Route(b"\0" * (50 * 1024 * 1024), gzip=True)
    result = await fetch(feed_server, "/bomb")
    assert result.status == "error" and "cap" in (result.error or "")


async def test_gzip_bodies_are_decoded(feed_server: FeedServer) -> None:
    feed_server.routes["/gz"] = Route(FEED, gzip=True)
    assert (await fetch(feed_server, "/gz")).body == FEED


async def test_a_dropped_connection_is_reported(feed_server: FeedServer) -> None:
    feed_server.routes["/drop"] = Route(drop=True)
    result = await fetch(feed_server, "/drop")
    assert result.status == "error"
    assert "closed the connection" in (result.error or "")


async def test_a_refused_connection_is_reported() -> None:
    server = FeedServer()
    with server.serve():
        url = server.url("/gone")
    async with Fetcher(FAST) as fetcher:
        result = await fetcher.fetch(url)
    assert result.status == "error" and "could not connect" in (result.error or "")


async def test_the_guard_sees_every_hop(feed_server: FeedServer) -> None:
    feed_server.routes["/start"] = Route(status=302, redirect="/private")
    seen: list[str] = []

    async def guard(url: str) -> None:
        seen.append(url)
        if url.endswith("/private"):
            raise BlockedURLError("refused: the redirect points at a private address")

    result = await fetch(feed_server, "/start", guard=guard)
    assert result.status == "error" and "refused" in (result.error or "")
    assert [u.rsplit("/", 1)[1] for u in seen] == ["start", "private"]
    assert feed_server.hits("/private") == []


async def test_local_files_work_as_feeds(tmp_path: Path) -> None:
    plain = tmp_path / "feed.xml"
    plain.write_bytes(FEED)
    packed = tmp_path / "feed.xml.gz"
    packed.write_bytes(gzip.compress(FEED))
    async with Fetcher(FAST) as fetcher:
        assert (await fetcher.fetch(str(plain))).body == FEED
        assert (await fetcher.fetch(f"file://{plain}")).body == FEED
        assert (await fetcher.fetch(str(packed))).body == FEED
        missing = await fetcher.fetch(str(tmp_path / "none.xml"))
    assert missing.status == "error" and "does not exist" in (missing.error or "")


async def test_a_large_local_file_hits_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.xml.gz"
    path.write_bytes(gzip.compress(b"\0" * (FAST.max_bytes * 4)))
    async with Fetcher(FAST) as fetcher:
        result = await fetcher.fetch(str(path))
    assert result.status == "error" and "cap" in (result.error or "")


async def test_per_host_limit_serialises_one_host(feed_server: FeedServer) -> None:
    for index in range(4):
        feed_server.routes[f"/f{index}"] = Route(FEED, delay=0.2)
    settings = FetchSettings(timeout=5, per_host=1, concurrency=8)
    async with Fetcher(settings) as fetcher:
        results = await fetcher.fetch_all([(feed_server.url(f"/f{i}"), None, None)
                                           for i in range(4)])
    assert all(r.status == "ok" for r in results)
    # One at a time: the last one waited for the three before it.
    assert max(r.elapsed_ms for r in results) >= 700


async def test_cookies_are_neither_kept_nor_sent(feed_server: FeedServer) -> None:
    feed_server.routes["/set"] = Route(FEED, headers={"Set-Cookie": "track=1; Path=/"})
    feed_server.routes["/next"] = Route(FEED)
    async with Fetcher(FAST) as fetcher:
        await fetcher.fetch(feed_server.url("/set"))
        await fetcher.fetch(feed_server.url("/next"))
    assert "cookie" not in feed_server.hits("/next")[0].headers


async def test_validators_that_are_not_valid_header_values_are_not_sent(
        feed_server: FeedServer) -> None:
    feed_server.routes["/feed"] = Route(FEED, etag='"v2"')
    result = await fetch(feed_server, "/feed", etag='"v1"\r\nX-Injected: 1',
                         last_modified="Wed, 25 Nov 2026 10:00:00 GMT\n")
    assert result.status == "ok" and result.headers["etag"] == '"v2"'
    headers = feed_server.hits("/feed")[0].headers
    assert "x-injected" not in headers and "if-none-match" not in headers
    assert "if-modified-since" not in headers


async def test_a_user_agent_with_a_line_break_is_never_written(feed_server: FeedServer) -> None:
    feed_server.routes["/feed"] = Route(FEED)
    settings = FetchSettings(timeout=2.0, user_agent="monitor\r\nX-Injected: 1")
    result = await fetch(feed_server, "/feed", settings)
    assert result.status == "error" and "check fetch.user_agent" in (result.error or "")
    assert feed_server.requests == []


async def test_status_codes_http_does_not_have_are_errors(feed_server: FeedServer) -> None:
    feed_server.routes["/feed"] = Route(FEED, status=999)
    result = await fetch(feed_server, "/feed")
    assert result.status == "error" and "status 999, which HTTP does not have" in (
        result.error or "")
