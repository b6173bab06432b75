"""What `monitor status` reports: every feed failing is a problem at once, said once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx

from monitor.config import load_config
from monitor.model import FeedState
from monitor.sources.fetch import describe_http_error
from monitor.status import status_report
from monitor.store import Store
from tests.conftest import NOW

DNS = describe_http_error(httpx.ConnectError("[Errno -2] Name or service not known"))
OK = dict(last_status="ok", last_success=NOW - timedelta(minutes=30))


def config_with(tmp_path: Path, count: int):  # type: ignore[no-untyped-def]
    feeds = "".join(f'[[feeds]]\nurl = "https://site{k}.example/feed"\nname = "Site {k}"\n'
                    for k in range(count))
    (tmp_path / "monitor.toml").write_text(feeds, encoding="utf-8")
    return load_config(str(tmp_path / "monitor.toml"), environ={})


def failing(k: int, error: str = DNS, since: timedelta = timedelta(minutes=5)) -> FeedState:
    return FeedState(f"https://site{k}.example/feed", last_status="error", error_count=1,
                     last_error=f"site{k}.example: {error}", failing_since=NOW - since,
                     last_attempt=NOW - since)


def report(tmp_path: Path, count: int, states: list[FeedState]):  # type: ignore[no-untyped-def]
    config = config_with(tmp_path, count)
    store = Store(config.database)
    with store.begin() as connection:
        store.save_feed_states(states, connection)
    try:
        return status_report(config, store, NOW)
    finally:
        store.close()


def test_a_first_run_without_network_is_one_problem_with_what_to_check(tmp_path: Path) -> None:
    doc = report(tmp_path, 16, [failing(k) for k in range(16)])
    assert doc["problems"] == [
        "every feed is failing (16 of 16 feeds): host names do not resolve. What to check "
        "first: that this machine is online and can resolve host names (DNS), then whether it "
        "must reach the web through a proxy."]
    assert all(f["state"].startswith("failing since") for f in doc["feeds"])


def test_a_day_later_the_feeds_are_still_one_problem(tmp_path: Path) -> None:
    doc = report(tmp_path, 4, [failing(k, since=timedelta(days=2)) for k in range(4)])
    assert len(doc["problems"]) == 1


def test_every_feed_failing_in_different_ways_is_still_a_problem(tmp_path: Path) -> None:
    doc = report(tmp_path, 2, [failing(0), failing(1, "HTTP 503 Service Unavailable: the "
                                                      "server failed; it will be retried")])
    (problem,) = doc["problems"]
    assert problem.startswith("every feed is failing (2 of 2 feeds), so nothing is being "
                              "monitored. What to check first:")


def test_one_feed_failing_for_minutes_is_no_problem_yet(tmp_path: Path) -> None:
    ok = FeedState("https://site0.example/feed", **OK)  # type: ignore[arg-type]
    doc = report(tmp_path, 2, [ok, failing(1)])
    assert doc["problems"] == []


def test_most_feeds_failing_the_same_way_is_one_line(tmp_path: Path) -> None:
    ok = FeedState("https://site0.example/feed", **OK)  # type: ignore[arg-type]
    doc = report(tmp_path, 5, [ok] + [failing(k, since=timedelta(days=2)) for k in range(1, 5)])
    assert doc["problems"] == [
        "4 of 5 feeds failed the same way: host names do not resolve. What to check first: "
        "that this machine is online and can resolve host names (DNS), then whether it must "
        "reach the web through a proxy."]
