"""`monitor run` as a real process: signals, the single-instance lock, and `status`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.outbox import Outbox
from monitor.posting import prepare, record
from monitor.store import Store
from tests.feedserver import FeedServer, Route, rss
from tests.slack_server import SlackServer
from tests.test_outbox import CHANNEL, item, stored

RULES = Path(__file__).parents[1] / "data" / "rules"
pytestmark = pytest.mark.slow


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    with SlackServer() as server:
        yield server


def setup(tmp_path: Path, feed_server: FeedServer, slack: SlackServer,
          database: str = "monitor.db") -> dict[str, str]:
    (tmp_path / "monitor.toml").write_text(f"""
rules = "{RULES}"
database = "{database}"
[[feeds]]
url = "{feed_server.url('/feed')}"
name = "Slow News"
[[channels]]
name = "ai-infra"
slack_channel = "ai-infra"
schedule = "0 9 * * mon-fri"
""", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONITOR_", "SLACK_"))}
    env |= {"MONITOR_CONFIG": str(tmp_path / "monitor.toml"), "SLACK_BOT_TOKEN": slack.token,
            "SLACK_API_URL": slack.api_url}
    return env


def start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "monitor", "run", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


def test_sigterm_in_the_middle_of_a_poll_finishes_it_and_exits_0(
        tmp_path: Path, feed_server: FeedServer, slack: SlackServer, database: str) -> None:
    feed_server.routes["/feed"] = Route(rss([{"title": "EU plans AI gigafactories",
                                              "link": "https://n.example/1"}]), delay=1.5)
    env = setup(tmp_path, feed_server, slack, database)
    process = start(env)
    try:
        wait_for(lambda: feed_server.hits("/feed"))
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "event=run.stopping signal=SIGTERM" in err
    assert "event=poll.done" in err and "event=run.stopped" in err
    store = Store(load_config(env["MONITOR_CONFIG"], environ={}).database)
    state = store.feed_states()[feed_server.url("/feed")]
    assert state.last_status == "ok" and len(state.item_uids) == 1
    assert len(store.matches()) == 1
    store.close()


def test_sigterm_in_the_middle_of_a_digest_leaves_nothing_half_sent(
        tmp_path: Path, feed_server: FeedServer, slack: SlackServer, database: str) -> None:
    feed_server.routes["/feed"] = Route(rss([]))
    env = setup(tmp_path, feed_server, slack, database)
    config = load_config(env["MONITOR_CONFIG"], environ={})
    store = Store(config.database)
    items = [item(n) for n in range(90)]
    stored(store, items)
    earlier = datetime.now(UTC) - timedelta(hours=1)  # a real clock: this is a real process
    prepared = prepare(CHANNEL, items, now=earlier, since=None, outbox=Outbox(store),
                       mode="bot", config=config)
    record(store, prepared, earlier)
    slack.state.delay = 0.5
    process = start(env)
    try:
        wait_for(lambda: slack.messages)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, err
    # Either the digest was finished, or what is left is pending for the next run:
    # never a part twice, never a part lost.
    sent = slack.messages
    (left,) = Outbox(store).pending() or [None]
    total = len(prepared.parts)
    assert len({m.text for m in sent}) == len(sent)
    assert len(sent) + (left.parts_total - left.parts_sent if left else 0) == total
    store.close()


def test_a_second_instance_is_refused(tmp_path: Path, feed_server: FeedServer,
                                      slack: SlackServer) -> None:
    feed_server.routes["/feed"] = Route(rss([]))
    env = setup(tmp_path, feed_server, slack)
    first = start(env)
    try:
        wait_for(lambda: feed_server.hits("/feed"))
        second = subprocess.run([sys.executable, "-m", "monitor", "run", "--once"], env=env,
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert "another monitor run (pid" in second.stderr and "stop it first" in second.stderr
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=30)
    assert first.returncode == 0


def test_status_exits_1_when_a_feed_is_dead(tmp_path: Path, feed_server: FeedServer,
                                            slack: SlackServer, database: str) -> None:
    feed_server.routes["/feed"] = Route(b"", status=410)
    env = setup(tmp_path, feed_server, slack, database)
    once = subprocess.run([sys.executable, "-m", "monitor", "run", "--once"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert once.returncode == 0, once.stderr
    status = subprocess.run([sys.executable, "-m", "monitor", "status", "--format", "json"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert status.returncode == 1
    doc = json.loads(status.stdout)
    assert doc["feeds"][0]["state"] == "dead"
    assert any("Slow News" in p for p in doc["problems"])
    assert slack.token not in status.stdout + status.stderr + once.stderr
