"""Retention: what is past the window goes, in batches; what anything still needs stays."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitor.config import load_config
from monitor.daemon import Service
from monitor.errors import ConfigError
from monitor.model import Article, FeedState, Hit, Match
from monitor.retention import LAST_RUN, due, prune
from monitor.rules.reload import RuleBook
from monitor.schema import digest_parts, digests, facts, pages, posted
from monitor.store import Store
from monitor.summarise import ExtractiveSummariser
from tests.conftest import NOW
from tests.feedserver import FeedServer, Route, rss

KEEP = timedelta(days=180)
OLD = NOW - timedelta(days=200)
HIT = Hit("GPU*", "title", "GPUs", 0, 4, 0)
RULES = Path(__file__).parent / "data" / "rules"


def article(uid: str) -> Article:
    return Article(uid, f"https://n.example/{uid}", f"GPUs for {uid}", "s", "c", None, "Src",
                   "https://n.example/feed")


def add(store: Store, uids: list[str], when: datetime) -> None:
    with store.begin() as c:
        store.save_articles([article(u) for u in uids], when, c)
        store.save_matches({u: [Match("compute", 5.0, (HIT,))] for u in uids}, when, c)


def give(store: Store, uid: str, story: str, when: datetime, status: str = "sent") -> int:
    """A digest of `status` that gave article `uid` (of `story`) to channel ai-infra."""
    with store.begin() as c:
        found = c.execute(digests.insert().values(
            channel="ai-infra", created_at=when, window_end=when, stories=1, status=status,
            attempts=0)).inserted_primary_key
        assert found is not None
        c.execute(digest_parts.insert().values(digest_id=found[0], idx=1, payload="{}"))
        c.execute(posted.insert().values(channel="ai-infra", uid=uid, story=story,
                                         digest_id=found[0], posted_at=when))
    return int(found[0])


def uids(store: Store) -> set[str]:
    return {a.uid for a in store.articles_since(None)}


def test_old_articles_go_with_their_matches_and_facts_and_young_ones_stay(store: Store) -> None:
    add(store, ["old-1", "old-2"], OLD)
    add(store, ["young"], NOW - timedelta(days=10))
    with store.begin() as c:
        c.execute(facts.insert(), [{"uid": u, "data": "{}"} for u in ("old-1", "young")])
    done = prune(store, NOW, KEEP)
    assert uids(store) == {"young"}
    assert set(store.matches()) == {"young"}
    assert (done.articles, done.matches, done.facts) == (2, 2, 1)
    with store.begin() as c:
        assert list(c.execute(sa.select(facts.c.uid)).scalars()) == ["young"]
    assert store.get_meta(LAST_RUN) == NOW.isoformat()


def test_what_a_feed_still_lists_stays(store: Store) -> None:
    add(store, ["listed", "gone"], OLD)
    state = FeedState("https://n.example/feed", item_uids=("listed",))
    with store.begin() as c:
        store.save_feed_states([state], c)
    prune(store, NOW, KEEP)
    assert uids(store) == {"listed"}


def test_what_a_pending_digest_or_an_open_story_needs_stays(store: Store) -> None:
    add(store, ["in-pending", "old-story-part", "closed-story", "plain"], OLD)
    add(store, ["new-story-part"], NOW - timedelta(days=2))
    give(store, "in-pending", "s1", OLD, status="pending")
    give(store, "old-story-part", "s2", OLD)
    give(store, "new-story-part", "s2", NOW - timedelta(days=2))  # s2 is still open
    give(store, "closed-story", "s3", OLD)
    done = prune(store, NOW, KEEP)
    assert uids(store) == {"in-pending", "old-story-part", "new-story-part"}
    assert done.posted == 1  # closed-story's row
    with store.begin() as c:
        left = {r.uid for r in c.execute(sa.select(posted.c.uid))}
    assert left == {"in-pending", "old-story-part", "new-story-part"}


def test_old_sent_digests_go_once_nothing_refers_to_them_but_each_channels_newest(
        store: Store) -> None:
    add(store, ["a", "b"], OLD)
    first = give(store, "a", "s1", OLD)
    second = give(store, "b", "s2", OLD + timedelta(days=1))
    done = prune(store, NOW, KEEP)
    with store.begin() as c:
        kept = list(c.execute(sa.select(digests.c.id)).scalars())
        parts = list(c.execute(sa.select(digest_parts.c.digest_id)).scalars())
    assert (kept, parts, done.digests) == ([second], [second], 1)  # the newest marks the window
    assert first not in kept


def test_cached_pages_fetched_before_the_window_go(store: Store) -> None:
    with store.begin() as c:
        c.execute(pages.insert(), [
            {"url": "https://n.example/old", "title": "", "text": "", "source": "",
             "fetched_at": OLD},
            {"url": "https://n.example/new", "title": "", "text": "", "source": "",
             "fetched_at": NOW}])
    assert prune(store, NOW, KEEP).pages == 1
    assert set(store.pages(["https://n.example/old", "https://n.example/new"])) == \
        {"https://n.example/new"}


def test_small_batches_step_past_what_stays_and_a_stopped_pass_resumes(store: Store) -> None:
    names = [f"u{n:02}" for n in range(10)]
    add(store, names, OLD)
    with store.begin() as c:
        store.save_feed_states([FeedState("f", item_uids=("u00", "u01", "u02"))], c)
    calls: list[int] = []

    def once_only() -> bool:
        calls.append(1)
        return len(calls) < 2

    stopped = prune(store, NOW, KEEP, batch=3, keep_going=once_only)
    assert stopped.batches == 2 and stopped.articles == 3  # u03..u05 went, then it stopped
    assert due(store, NOW)  # not finished: the next check runs it again
    done = prune(store, NOW, KEEP, batch=3)
    assert uids(store) == {"u00", "u01", "u02"}
    assert done.articles == 4 and done.longest > 0
    assert not due(store, NOW + timedelta(hours=23)) and due(store, NOW + timedelta(days=1))


def test_retention_in_the_config(tmp_path: Path) -> None:
    def load(text: str) -> timedelta | None:
        path = tmp_path / "monitor.toml"
        path.write_text(text, encoding="utf-8")
        return load_config(str(path), environ={}).retention

    assert load("") == timedelta(days=180)
    assert load('retention = "365d"') == timedelta(days=365)
    assert load('retention = "off"') is None
    with pytest.raises(ConfigError, match=r"monitor\.toml:1: retention '3d' is under 7d"):
        load('retention = "3d"')
    with pytest.raises(ConfigError, match=r"monitor\.toml:2: retention 'soon' is not a "
                                          r"duration like 30m, 24h or 7d .*, or \"off\""):
        load('timezone = "UTC"\nretention = "soon"')


def test_the_daemon_prunes_once_a_day_after_the_window(
        database: str, tmp_path: Path, feed_server: FeedServer) -> None:
    feed_server.routes["/feed"] = Route(rss([{"title": "AI gigafactory one",
                                              "link": "https://n.example/1"}]))
    (tmp_path / "monitor.toml").write_text(
        f'rules = "{RULES}"\ndatabase = "{database}"\nretention = "30d"\n'
        f'[[feeds]]\nurl = "{feed_server.url("/feed")}"\ninterval = "1h"\n', encoding="utf-8")
    config = load_config(str(tmp_path / "monitor.toml"), environ={})
    clock = [NOW]
    store = Store(config.database)
    service = Service(config, store, RuleBook(config.rules), lambda: clock[0],
                      ExtractiveSummariser(), printer=lambda _text: None)
    service.once()
    assert len(uids(store)) == 1 and store.get_meta(LAST_RUN) == NOW.isoformat()
    feed_server.routes["/feed"] = Route(rss([{"title": "AI gigafactory two",
                                              "link": "https://n.example/2"}]))
    clock[0] = NOW + timedelta(days=31)
    service.once()  # the first article left the feed and the window: it goes
    assert [a.title for a in store.articles_since(None)] == ["AI gigafactory two"]
    assert store.get_meta(LAST_RUN) == clock[0].isoformat()
    store.close()
