"""Database URLs as people write them, and a missing driver in one sentence."""

from __future__ import annotations

import builtins
import importlib.util
from pathlib import Path
from typing import Any

import pytest

from monitor.engine import (
    POSTGRES_INSTALL,
    create_engine,
    database_url,
    normalise_url,
    safe_url,
    sqlite_file,
)
from monitor.errors import StoreError


def test_database_url_from_a_path_or_a_url() -> None:
    assert database_url("monitor.db", Path("/srv")) == "sqlite:////srv/monitor.db"
    assert database_url("/abs/m.db", Path("/srv")) == "sqlite:////abs/m.db"
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql+psycopg2://u@h/db") == "postgresql+psycopg2://u@h/db"


@pytest.mark.parametrize(("url", "expected"), [
    ("postgresql://u:p@db:5432/monitor", "postgresql+psycopg://u:p@db:5432/monitor"),
    ("postgres://u@db/monitor", "postgresql+psycopg://u@db/monitor"),
    ("POSTGRESQL://u@db/monitor", "postgresql+psycopg://u@db/monitor"),
    ("postgresql+psycopg://u@db/m", "postgresql+psycopg://u@db/m"),
    ("sqlite:///m.db", "sqlite:///m.db"),
])
def test_postgresql_urls_mean_psycopg_3(url: str, expected: str) -> None:
    assert normalise_url(url) == expected


def test_passwords_never_reach_a_message() -> None:
    assert safe_url("postgresql+psycopg://monitor:s3cret@db/m") == \
        "postgresql+psycopg://monitor:***@db/m"
    assert safe_url("::not a url") == "(invalid URL)"


def test_sqlite_file_is_none_for_memory_and_other_databases() -> None:
    assert sqlite_file("sqlite:////srv/m.db") == Path("/srv/m.db")
    assert sqlite_file("sqlite://") is None and sqlite_file("sqlite:///:memory:") is None
    assert sqlite_file("postgresql+psycopg://u@h/db") is None


def test_a_missing_postgresql_driver_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def without_psycopg(name: str, *args: Any) -> Any:
        return None if name == "psycopg" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_psycopg)
    with pytest.raises(StoreError) as caught:
        create_engine("postgresql://monitor:s3cret@db.example/monitor")
    assert str(caught.value) == (
        "the database postgresql+psycopg://monitor:***@db.example/monitor is PostgreSQL, and "
        f"its driver (psycopg) is not installed; run: {POSTGRES_INSTALL}")


def test_another_missing_driver_names_the_url_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_pymysql(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith(("pymysql", "MySQLdb")):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pymysql)
    with pytest.raises(StoreError, match=r"^cannot use the database mysql\+pymysql://u@h/m: .*"
                       r"check the URL in `database` \(or MONITOR_DB\)$"):
        create_engine("mysql+pymysql://u@h/m")
