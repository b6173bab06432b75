"""A corpus of hostile answers, scanned in one cycle beside good feeds: one sentence each.

Every answer comes from the raw-socket server in tests/hostile.py. The good feeds must be
`ok`, every bad one must have its own sentence and its state saved (backoff and health),
the process's memory must stay bounded while 50 MiB bodies and gzip bombs go by, and a
second cycle must behave the same.
"""

from __future__ import annotations

import json
import tracemalloc
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.embedding import load_model
from monitor.model import Feed
from monitor.pipeline import CycleOptions, scan_feeds
from monitor.rules.load import load_rules_strict
from monitor.sources.fetch import FetchSettings
from monitor.sources.fulltext import feed_origins
from monitor.sources.guard import AddressGuard
from monitor.store import Store
from tests.conftest import NOW
from tests.fakes import FakeResolver
from tests.feedserver import rss
from tests.hostile import (
    answer,
    chunked,
    chunked_forever,
    drip,
    gzip_bomb,
    head,
    raw_forever,
    repeat,
    reset_after,
    serving,
    serving_in_thread,
)

MIB = 1024 * 1024
SETTINGS = FetchSettings(timeout=2.0, connect_timeout=1.0, read_timeout=0.5, max_bytes=MIB,
                         concurrency=16, per_host=16)
GOOD = rss([{"title": "Nordic operator plans AI data centre campus", "guid": "g1",
             "link": "https://news.example/a"}])
CHUNK_HEAD = head("200 OK", "Transfer-Encoding: chunked", "Content-Type: application/xml")
BOMB = gzip_bomb(50 * MIB)

# path -> (answer, what the feed's report says: "ok" or a piece of its one sentence)
CASES = {
    "/good-1": (answer(GOOD, "Content-Type: application/rss+xml"), "ok"),
    "/good-2": (answer(GOOD.replace(b"g1", b"g2"), "Content-Type: text/xml"), "ok"),
    "/good-chunked": (CHUNK_HEAD + chunked(GOOD.replace(b"g1", b"g3")), "ok"),
    # RFC 9112 2.2 lets a recipient read a bare LF as a line end; h11 does, so this works.
    "/bare-lf-head": (head("200 OK", f"Content-Length: {len(GOOD)}", line_end="\n") + GOOD,
                      "ok"),
    "/chunk-line-over-64k": (CHUNK_HEAD + b"1" + b"0" * 70_000 + b"\r\n", "broke the HTTP"),
    "/304-chunked-50mib": (chunked_forever(head("304 Not Modified",
                                                "Transfer-Encoding: chunked"), 50 * MIB),
                           "not_modified"),
    "/204-chunked-50mib": (chunked_forever(head("204 No Content",
                                                "Transfer-Encoding: chunked"), 50 * MIB),
                           "HTTP 204 No Content"),
    "/conflicting-lengths": (head("200 OK", "Content-Length: 10", "Content-Length: 20")
                             + b"x" * 20, "broke the HTTP"),
    "/status-999": (answer(GOOD, status="999 Whatever"), "status 999, which HTTP does not"),
    "/status-garbage": (b"HTTP/1.1 2x0 OK\r\n\r\n", "broke the HTTP"),
    "/0x-chunk-size": (CHUNK_HEAD + b"0x10\r\n" + b"a" * 16 + b"\r\n0\r\n\r\n",
                       "broke the HTTP"),
    "/chunk-crlf-missing": (CHUNK_HEAD + b"5\r\nhelloXX0\r\n\r\n", "broke the HTTP"),
    "/bare-lf-chunks": (CHUNK_HEAD + b"5\nhello\n0\n\n", "closed the connection"),
    "/negative-chunk": (CHUNK_HEAD + b"-5\r\nhello\r\n0\r\n\r\n", "broke the HTTP"),
    "/huge-chunk": (raw_forever(CHUNK_HEAD + b"fffffffffffffff\r\n", 4 * MIB), "MB cap"),
    "/header-1mib": (raw_forever(head("200 OK").removesuffix(b"\r\n") + b"X-Big: ", 2 * MIB),
                     "broke the HTTP"),
    "/endless-100": (repeat(b"HTTP/1.1 100 Continue\r\n\r\n", 0.01, 10_000), "request timeout"),
    "/drip-headers": (drip(head("200 OK", "Content-Length: 5") + b"hello", 1.0),
                      "read timeout"),
    "/reset-mid-body": (reset_after(head("200 OK", "Content-Length: 100000") + b"<rss>" * 200),
                        "connection"),
    "/short-body": (head("200 OK", "Content-Length: 100000") + b"<rss>", "closed the connection"),
    "/gzip-bomb-chunked": (head("200 OK", "Transfer-Encoding: chunked", "Content-Encoding: gzip")
                           + chunked(BOMB, 16 * 1024), "MB cap"),
    "/corrupt-gzip": (answer(b"\x1f\x8b\x08\x00garbage-not-deflate", "Content-Encoding: gzip"),
                      "could not be decompressed"),
    "/unknown-encoding": (answer(GOOD, "Content-Encoding: zstd-ish"), "encoding monitor does"),
    "/no-status-line": (GOOD, "closed the connection"),
    "/header-without-colon": (b"HTTP/1.1 200 OK\r\nNoColonHere\r\n\r\n", "broke the HTTP"),
    "/space-before-colon": (b"HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello",
                            "broke the HTTP"),
    "/nul-in-header": (b"HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 0\r\n\r\n",
                       "broke the HTTP"),
    "/negative-length": (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "broke the HTTP"),
    "/silent-close": (b"", "closed the connection"),
    "/bad-location": (head("302 Found", "Location: http://[::1/x", "Content-Length: 0"),
                      "redirected to an address that is not a valid URL"),
    "/redirect-other-port": (head("302 Found", "Location: http://127.0.0.1:9/private",
                                  "Content-Length: 0"), "127.0.0.1 is a loopback address"),
    "/huge-retry-after": (answer(b"slow down", "Retry-After: 99999999999999999999999",
                                 status="429 Too Many Requests"), "HTTP 429"),
    "/html-not-feed": (answer(b"<html><body>hello</body></html>",
                              "Content-Type: text/html"), "not a feed"),
}


async def _cycle(server_url: str, store: Store, rules_dir: Path, minutes: int
                 ) -> dict[str, tuple[str, str]]:
    feeds = [Feed(server_url + path) for path in CASES]
    options = CycleOptions(guard=AddressGuard(feed_origins(feeds), FakeResolver({})),
                           report=True)
    report = await scan_feeds(feeds, rules=load_rules_strict(rules_dir), settings=SETTINGS,
                              store=store, now=NOW + timedelta(minutes=minutes),
                              options=options)
    return {f.url.removeprefix(server_url): (f.status, f.error or "") for f in report.feeds}


@pytest.mark.slow
async def test_hostile_answers_fail_only_their_own_feed(store: Store, rules_dir: Path) -> None:
    assert len([c for c in CASES if not c.startswith("/good")]) >= 20
    # The sentence model is read once per process (report=True groups stories); read it
    # before measuring, so the bound is about what the hostile bodies leave, in any order.
    load_model()
    async with serving({path: script for path, (script, _) in CASES.items()}) as server:
        base = server.url("")
        tracemalloc.start()
        try:
            first = await _cycle(base, store, rules_dir, 0)
            second = await _cycle(base, store, rules_dir, 1)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    for result in (first, second):
        for path, (_, expected) in CASES.items():
            status, error = result[path]
            if expected in ("ok", "not_modified"):
                assert (status, error) == (expected, ""), path
            else:
                assert status == "error" and expected in error, (path, error)
                assert "\n" not in error and len(error) < 200, (path, error)
    assert first == second
    states = store.feed_states()
    for path, (_, expected) in CASES.items():
        state = states[base + path]
        failed = expected not in ("ok", "not_modified")
        assert state.error_count == (2 if failed else 0), path
        assert state.next_poll is not None and state.next_poll > NOW, path
    # Two 50 MiB bodies and a 50 MiB bomb went by, twice: what was held stays far below.
    assert peak < 48 * MIB, f"peak traced memory {peak / MIB:.1f} MiB"


def test_monitor_scan_of_a_hostile_mix_exits_0_with_a_sentence_each(
        tmp_path: Path, rules_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "monitor.toml").write_text(
        "[fetch]\ntimeout = 2\nread_timeout = 0.5\nmax_bytes = 1048576\nper_host = 16\n")
    paths = ["/good-1", "/chunk-line-over-64k", "/304-chunked-50mib", "/status-999",
             "/conflicting-lengths", "/gzip-bomb-chunked", "/bad-location", "/header-1mib"]
    with serving_in_thread({p: CASES[p][0] for p in paths}) as server:
        args = [a for p in paths for a in ("--feed", server.url(p))]
        result = CliRunner().invoke(cli, ["scan", *args, "--rules", str(rules_dir),
                                          "--no-store", "--format", "json"])
    assert result.exit_code == 0, result.output
    feeds = {f["url"].removeprefix(server.url("")): f for f in json.loads(result.stdout)["feeds"]}
    assert feeds["/good-1"]["status"] == "ok" and feeds["/good-1"]["items"] == 1
    assert feeds["/304-chunked-50mib"]["status"] == "not_modified"
    for path in paths[3:] + paths[1:2]:
        assert feeds[path]["status"] == "error" and CASES[path][1] in feeds[path]["error"]
