"""The daemon's steps with a fake clock: polls, digests, catch-up, reload, health notes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.daemon import Service
from monitor.outbox import Outbox
from monitor.rules.reload import RuleBook
from monitor.store import Store
from monitor.summarise import ExtractiveSummariser
from tests.conftest import NOW
from tests.feedserver import FeedServer, Route, rss
from tests.slack_server import SlackServer

RULES = Path(__file__).parent / "data" / "rules"


def story(n: int, when: str = "Wed, 25 Nov 2026 10:00:00 GMT") -> dict[str, str]:
    return {"title": f"Site {n}: {['Nvidia', 'Oracle', 'Equinix', 'Nebius'][n % 4]} builds "
                     f"a {n * 50 + 100} MW AI data centre in {['Ohio', 'Oslo', 'Lyon'][n % 3]}",
            "link": f"https://n.example/{n}", "pubDate": when,
            "description": f"The data centre {n} hosts GPUs for AI training. It opens in 2027."}


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    with SlackServer() as server:
        yield server


def make(tmp_path: Path, feed_server: FeedServer, slack: SlackServer, clock: Clock,
         rules: Path = RULES, health: bool = True, extra: str = "",
         database: str = "monitor.db") -> Service:
    (tmp_path / "monitor.toml").write_text(f"""
rules = "{rules}"
database = "{database}"
timezone = "Europe/Brussels"
[[feeds]]
url = "{feed_server.url('/feed')}"
name = "Test News"
interval = "30m"
[[feeds]]
url = "{feed_server.url('/broken')}"
name = "Broken Feed"
[[channels]]
name = "ai-infra"
slack_channel = "ai-infra"
schedule = "0 9 * * mon-fri"
{extra}""", encoding="utf-8")
    env = {"SLACK_BOT_TOKEN": slack.token, "SLACK_API_URL": slack.api_url}
    config = load_config(str(tmp_path / "monitor.toml"), environ=env)
    store = Store(config.database)
    return Service(config, store, RuleBook(config.rules), clock, ExtractiveSummariser(),
                   printer=lambda _text: None)


def test_run_once_polls_posts_and_then_has_nothing_to_do(
        tmp_path: Path, feed_server: FeedServer, slack: SlackServer,
        database: str) -> None:
    feed_server.routes["/feed"] = Route(rss([story(1), story(2)]), etag='"1"')
    feed_server.routes["/broken"] = Route(b"", status=500)
    clock = Clock(NOW + timedelta(hours=1))  # Thursday 10:00 in Brussels: today's 09:00 is due
    service = make(tmp_path, feed_server, slack, clock, database=database)
    service.once()
    assert len(feed_server.hits("/feed")) == 1
    (message,) = slack.messages
    assert "Site 1" in message.text and "Site 2" in message.text
    clock.now += timedelta(minutes=5)
    service.once()  # nothing due: no poll (30 min interval), no digest (next is tomorrow)
    assert len(feed_server.hits("/feed")) == 1 and len(slack.messages) == 1
    clock.now += timedelta(minutes=40)
    service.once()  # the feed is due again: a conditional request, answered 304
    hits = feed_server.hits("/feed")
    assert len(hits) == 2 and hits[1].headers.get("if-none-match") == '"1"'
    service.store.close()


def test_a_poll_logs_the_number_of_matches_it_stored(
        tmp_path: Path, feed_server: FeedServer, slack: SlackServer,
        caplog: pytest.LogCaptureFixture) -> None:
    feed_server.routes["/feed"] = Route(rss([story(1), story(2), {
        "title": "Tesla opens a battery gigafactory", "link": "https://n.example/tesla",
        "description": "Cells for electric cars."}]))
    feed_server.routes["/broken"] = Route(b"", status=500)
    service = make(tmp_path, feed_server, slack, Clock(NOW))
    with caplog.at_level("INFO", logger="monitor.run"):
        service.poll()
    (done,) = [r for r in caplog.records if r.getMessage() == "poll.done"]
    assert done.__dict__["monitor_fields"]["matches"] == 2  # the poll reports no items, yet stored two
    service.store.close()


def test_a_30_hour_outage_is_caught_up_with_one_digest_covering_it(
        tmp_path: Path, feed_server: FeedServer, slack: SlackServer,
        database: str) -> None:
    feed_server.routes["/feed"] = Route(rss([story(1)]))
    feed_server.routes["/broken"] = Route(rss([]))
    clock = Clock(NOW)  # Thursday 09:00 UTC = 10:00 Brussels
    service = make(tmp_path, feed_server, slack, clock, database=database)
    service.once()
    assert len(slack.messages) == 1
    # Down for 30 hours; meanwhile the feed gained two stories.
    feed_server.routes["/feed"] = Route(rss([story(1), story(2), story(3)]))
    clock.now += timedelta(hours=30)  # Friday 16:00 Brussels: Friday's 09:00 was missed
    service.started = clock.now
    service.poll()
    service.catch_up()
    assert len(slack.messages) == 2
    second = slack.messages[1].text
    assert "Site 2" in second and "Site 3" in second and "Site 1" not in second
    windows = Outbox(service.store).last_window_end("ai-infra")
    assert windows == clock.now
    service.store.close()


def test_feed_health_line_in_the_digest(tmp_path: Path, feed_server: FeedServer,
                                        slack: SlackServer, database: str) -> None:
    feed_server.routes["/feed"] = Route(rss([story(1)]))
    feed_server.routes["/broken"] = Route(b"", status=500)
    clock = Clock(NOW - timedelta(days=2))
    service = make(tmp_path, feed_server, slack, clock, database=database)
    service.poll()  # the broken feed starts failing two days ago
    clock.now = NOW
    service.poll()
    service.digest(service.channels()[0])
    (message,) = slack.messages
    assert "Broken Feed has failed since" in json.dumps(message.blocks)
    service.store.close()


def test_a_scheduled_digest_on_the_tracker_day_ends_with_the_week_in_figures(
        tmp_path: Path, feed_server: FeedServer, slack: SlackServer) -> None:
    feed_server.routes["/feed"] = Route(rss([story(1), story(2)]))
    feed_server.routes["/broken"] = Route(rss([]))
    clock = Clock(NOW - timedelta(days=1))  # Wednesday: polled, posted, no tracker
    service = make(tmp_path, feed_server, slack, clock, extra='tracker = "thu"\n')
    service.poll()
    service.digest(service.channels()[0])
    clock.now = NOW  # Thursday 10:00 in Brussels: nothing new, but the week in figures
    service.digest(service.channels()[0])
    wednesday, thursday = slack.messages
    assert "This week in figures" not in json.dumps(wednesday.blocks)
    totals = json.dumps(thursday.blocks, ensure_ascii=False)
    assert "*no stage stated*: 2 projects, 2 sites · 350 MW" in totals  # 150 MW + 200 MW
    service.store.close()


def test_reload_with_a_broken_rule_file_keeps_the_last_good_rules(
        tmp_path: Path, feed_server: FeedServer, slack: SlackServer,
        database: str) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "compute.yaml").write_bytes((RULES / "compute.yaml").read_bytes())
    feed_server.routes["/feed"] = Route(rss([story(1)]))
    feed_server.routes["/broken"] = Route(rss([]))
    service = make(tmp_path, feed_server, slack, Clock(NOW), rules=rules, database=database)
    (rules / "compute.yaml").write_text("id: compute\nthreshold: [\n", encoding="utf-8")
    service.reload()
    assert service.config.feeds[0].name == "Test News"  # the config was re-read, not lost
    assert [r.id for r in service.rules.rules] == ["compute"]
    service.poll()  # still matching with the last good rules
    assert service.store.matches()
    service.store.close()
