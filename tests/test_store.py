from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitor.errors import StoreError
from monitor.model import Article, FeedState, Hit, Match
from monitor.schema import SCHEMA_VERSION
from monitor.store import Store, database_url
from tests.conftest import NOW

ARTICLE = Article("uid-1", "https://x.example/1", "AI gigafactory", "sum", "body",
                  NOW - timedelta(hours=2), "Source", "https://x.example/feed")
MATCH = Match("compute", 10.0, (Hit("AI gigafactor*", "title", "AI gigafactory", 0, 14, 0),))


def test_database_url_from_a_path() -> None:
    assert database_url("monitor.db", Path("/srv")) == "sqlite:////srv/monitor.db"
    assert database_url("/abs/m.db", Path("/srv")) == "sqlite:////abs/m.db"
    assert database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'm.db'}")
    with store.begin() as c:
        assert c.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
    store.close()


def test_schema_version_is_recorded(store: Store) -> None:
    assert store.get_meta("schema_version") == str(SCHEMA_VERSION)


def test_an_unopenable_database_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open the database"):
        Store(f"sqlite:///{tmp_path / 'missing-dir' / 'm.db'}")


def test_articles_and_matches_round_trip(store: Store) -> None:
    with store.begin() as c:
        store.save_articles([ARTICLE], NOW, c)
        store.save_matches({ARTICLE.uid: [MATCH]}, NOW, c)
    assert store.articles([ARTICLE.uid]) == {ARTICLE.uid: ARTICLE}
    assert store.matches([ARTICLE.uid]) == {ARTICLE.uid: [MATCH]}
    assert store.known(["uid-1", "uid-2"]) == {"uid-1"}
    assert store.known_urls(["https://x.example/1", "https://x.example/2"]) == \
        {"https://x.example/1": "uid-1"}


def test_saving_again_keeps_first_seen(store: Store) -> None:
    with store.begin() as c:
        store.save_articles([ARTICLE], NOW - timedelta(days=3), c)
    changed = dataclasses.replace(ARTICLE, title="Updated")
    with store.begin() as c:
        store.save_articles([changed], NOW, c)
    assert store.articles([ARTICLE.uid])[ARTICLE.uid].title == "Updated"
    assert store.articles_since(NOW - timedelta(days=1)) == [changed]  # published 2 h ago
    assert store.articles_since(NOW + timedelta(days=1)) == []


def test_matches_are_replaced_not_added(store: Store) -> None:
    with store.begin() as c:
        store.save_matches({"u": [MATCH]}, NOW, c)
    with store.begin() as c:
        store.save_matches({"u": []}, NOW, c)
    assert store.matches(["u"]) == {}


def test_feed_state_round_trip(store: Store) -> None:
    state = FeedState("https://x.example/feed", title="X", etag='"1"', last_status="ok",
                      error_count=2, last_success=NOW, failing_since=NOW, dead=True,
                      item_uids=("a", "b"))
    with store.begin() as c:
        store.save_feed_states([state], c)
        store.save_feed_states([state], c)
    assert store.feed_states() == {state.url: state}
    assert store.feed_states(["other"]) == {}


def test_states_with_the_same_items_are_updated_in_place(store: Store) -> None:
    first = FeedState("https://x.example/feed", etag='"1"', last_status="ok",
                      last_attempt=NOW, item_uids=("a", "b"))
    with store.begin() as c:
        store.save_feed_states([first], c)
    later = dataclasses.replace(first, last_status="not_modified", error_count=0,
                                last_attempt=NOW + timedelta(hours=1))
    with store.begin() as c:
        store.save_feed_states([later], c, same_items=[later.url])
    assert store.feed_states() == {later.url: later}


def test_postgresql_urls_work_as_written(postgres_database: str) -> None:
    assert postgres_database.startswith("postgresql://")
    store = Store(postgres_database)
    assert store.engine.dialect.driver == "psycopg"
    store.close()


def test_an_unreachable_server_is_one_sentence() -> None:
    with pytest.raises(StoreError) as caught:
        Store("postgresql://monitor:s3cret@127.0.0.1:1/monitor")
    message = str(caught.value)
    assert message.startswith("cannot open the database postgresql://monitor:***@127.0.0.1:1/"
                              "monitor: connection failed: ")
    assert message.endswith("check the URL, that the server runs and is reachable, and the "
                            "user and password")
    assert "s3cret" not in message and "\n" not in message


def test_a_digest_window_reads_the_first_seen_index_not_every_article(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'm.db'}")
    seen: list[str] = []

    def plan(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "JOIN matches" in statement:
            seen.extend(r[3] for r in cursor.connection.execute(
                f"EXPLAIN QUERY PLAN {statement}", parameters))

    sa.event.listen(store.engine, "before_cursor_execute", plan)
    store.matched_between(NOW - timedelta(days=1), NOW)
    assert any("INDEX ix_articles_first_seen" in step for step in seen), seen
    assert not any(step.startswith("SCAN articles") for step in seen), seen
    store.close()
