"""Leader and standbys on one PostgreSQL store: one leads, another takes over when it dies."""

from __future__ import annotations

import itertools
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitor.config import load_config
from monitor.daemon import Service, run_forever
from monitor.deliver.slack import MessagePart
from monitor.leader import replicas, standing_by
from monitor.lock import InstanceLock
from monitor.model import Digest
from monitor.outbox import Outbox
from monitor.rules.reload import RuleBook
from monitor.schema import digests
from monitor.store import Store
from monitor.summarise import ExtractiveSummariser
from tests.feedserver import FeedServer, Route, rss
from tests.postgres import member
from tests.slack_server import SlackServer

RULES = Path(__file__).parent / "data" / "rules"


@pytest.fixture
def store(postgres_database: str) -> Iterator[Store]:
    s = Store(postgres_database)
    yield s
    s.close()


def test_one_leads_the_other_stands_by_and_takes_over_on_release(store: Store) -> None:
    first, second = member(store.url, "1"), member(store.url, "2")
    first.acquire()
    second.acquire()
    assert first.leading and not second.leading
    assert first.check() and not second.check()
    with store.begin() as c:
        found = replicas(c)
    assert found.leader is not None and found.leader.name == "pid 1 on host test"
    assert [m.name for m in found.standbys] == ["pid 2 on host test"]
    assert found.leader_since is not None
    first.release()
    wait(second.check)  # the lock is free at once: the standby leads on its next beat
    second.release()


def test_a_leader_whose_session_is_killed_stops_leading_and_another_takes_over(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    first, second = member(store.url, "1"), member(store.url, "2")
    first.acquire()
    second.acquire()
    with store.begin() as c:  # the server ends the leader's session, as on a lost connection
        c.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = 'monitor run pid 1 on host test'"))
    wait(lambda: "leader.lost" in caplog.text)
    wait(lambda: first.check() or second.check())  # one of them leads again: never both
    for _ in range(20):
        assert first.check() != second.check()
        time.sleep(0.05)
    first.release()
    second.release()


def test_a_hung_leaders_session_is_ended_by_the_server(store: Store) -> None:
    leader = member(store.url, "1")
    leader.acquire()
    session = leader._connection
    assert session is not None
    assert session.execute(sa.text("SHOW idle_session_timeout")).scalar() == "30s"
    assert session.execute(sa.text("SHOW tcp_keepalives_idle")).scalar() == "5"
    leader.release()


def _one_feed_service(store: Store, tmp_path: Path, feed_server: FeedServer) -> Service:
    """A daemon's service on `store` with one empty feed and no channel."""
    feed_server.routes["/feed"] = Route(rss([]))
    (tmp_path / "monitor.toml").write_text(
        f'rules = "{RULES}"\ndatabase = "{store.url}"\n'
        f'[[feeds]]\nurl = "{feed_server.url("/feed")}"\n', encoding="utf-8")
    config = load_config(str(tmp_path / "monitor.toml"), environ={})
    return Service(config, store, RuleBook(config.rules), lambda: datetime.now(UTC),
                   ExtractiveSummariser(), printer=lambda _text: None)


def test_a_standby_run_once_leaves_the_work_to_the_leader(
        store: Store, tmp_path: Path, feed_server: FeedServer) -> None:
    service = _one_feed_service(store, tmp_path, feed_server)
    with InstanceLock(store.url) as leader, InstanceLock(store.url) as standby:
        assert leader.leading and not standby.leading
        assert standing_by(store.url)  # this process's last member is the standby
        service.once()
        assert feed_server.hits("/feed") == []
    assert not standing_by(store.url)
    service.once()
    assert len(feed_server.hits("/feed")) == 1


def test_claims_are_exclusive_across_replicas(store: Store) -> None:
    """Eight replicas (each its own engine) claim one digest at the same instant: one wins."""
    now = datetime.now(UTC)
    digest = Digest("ai-infra", now, None, now, ())
    digest_id = Outbox(store).add(digest, [MessagePart(1, 1, "text", (), False)], now)
    replicas_ = [Store(store.url) for _ in range(8)]
    start, won = threading.Barrier(len(replicas_)), []

    def claim(replica: Store) -> None:
        start.wait()
        token = Outbox(replica).claim(digest_id, now)
        if token is not None:
            won.append(token)

    threads = [threading.Thread(target=claim, args=(r,)) for r in replicas_]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in replicas_:
        r.close()
    assert len(won) == 1


# Two real daemons on one store; the leader is killed with SIGKILL.


def daemon(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "monitor", "run"], env=env, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


class Log:
    """A daemon's stderr, read as it comes."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self.process = process
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)

    def wait_for(self, text: str, timeout: float) -> float:
        """Seconds until a line with `text` appeared (AssertionError after `timeout`)."""
        started = time.monotonic()
        while not any(text in line for line in self.lines):
            if time.monotonic() - started > timeout:
                raise AssertionError(f"no {text!r} within {timeout} s:\n{''.join(self.lines)}")
            time.sleep(0.05)
        return time.monotonic() - started


@pytest.mark.slow
def test_sigkill_of_the_leader_a_standby_takes_over_and_no_digest_is_lost_or_doubled(
        postgres_database: str, tmp_path: Path, feed_server: FeedServer) -> None:
    feed_server.routes["/feed"] = Route(rss([]))
    (tmp_path / "monitor.toml").write_text(f"""
rules = "{RULES}"
database = "{postgres_database}"
[[feeds]]
url = "{feed_server.url('/feed')}"
[[channels]]
name = "ai-infra"
slack_channel = "ai-infra"
schedule = "* * * * *"
post_empty = true
""", encoding="utf-8")
    store = Store(postgres_database)
    earlier = datetime.now(UTC) - timedelta(seconds=90)  # a digest was due since: catch-up
    Outbox(store).add(Digest("ai-infra", earlier, None, earlier, ()), (), earlier,
                      status="sent")
    with SlackServer() as slack:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MONITOR_", "SLACK_"))}
        env |= {"MONITOR_CONFIG": str(tmp_path / "monitor.toml"),
                "SLACK_BOT_TOKEN": slack.token, "SLACK_API_URL": slack.api_url}
        first = daemon(env)
        first_log = Log(first)
        try:
            first_log.wait_for("event=leader.elected", 60)
            second = daemon(env)
            second_log = Log(second)
            second_log.wait_for("event=run.standby", 60)
            first_log.wait_for("event=digest.sent", 60)  # the catch-up digest, from the leader
            # Killed 3 s before a digest is due: it falls due while no one leads (or just
            # after the standby took over); either way it must go out once.
            time.sleep((57 - datetime.now(UTC).second) % 60)
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            took = second_log.wait_for("event=leader.elected", 60)
            print(f"takeover after SIGKILL: {took:.1f} s")
            second_log.wait_for("event=digest.sent", 60)
            second.send_signal(signal.SIGTERM)
            second.wait(30)
        finally:
            for process in (first, locals().get("second")):
                if process is not None and process.poll() is None:
                    process.kill()
        sent = list(slack.messages)
    with store.begin() as c:
        windows = [(r.window_start, r.window_end, r.status) for r in
                   c.execute(sa.select(digests).order_by(digests.c.window_end))]
    store.close()
    assert second.returncode == 0
    assert len(sent) == len(windows) - 1 >= 2  # one message per digest after the seeded one
    assert all(status == "sent" for _, _, status in windows)
    for (_, end, _), (start, _, _) in itertools.pairwise(windows):
        assert start == end  # each window starts where the last ended: no gap, no overlap


def test_a_daemon_that_loses_its_lead_stops_working_then_leads_again(
        store: Store, tmp_path: Path, feed_server: FeedServer,
        caplog: pytest.LogCaptureFixture) -> None:
    service = _one_feed_service(store, tmp_path, feed_server)
    stop, hup = threading.Event(), threading.Event()
    caplog.set_level(logging.INFO)
    with InstanceLock(store.url) as lock:
        runner = threading.Thread(target=run_forever, args=(service, lock, stop, hup))
        runner.start()
        try:
            wait(lambda: "run.started" in caplog.text)
            with store.begin() as c:  # as if the connection were lost
                c.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE application_name LIKE 'monitor run %'"))
            wait(lambda: "run.demoted" in caplog.text)
            wait(lambda: caplog.text.count("run.started") == 2)  # no one else: it leads again
        finally:
            stop.set()
            runner.join(30)
    assert caplog.text.count("leader.elected") == 2 and "run.stopped" in caplog.text


def wait(condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
