"""Who runs a store, for `monitor status`: the leader, its lease, and the standbys.

SQLite: the run holding the lock file, if any. PostgreSQL: what the server itself says
(monitor/leader.py): the session holding the leader's advisory lock, and the others.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from monitor.engine import backend, create_engine, open_failure
from monitor.leader import (
    CLOCK_TOLERANCE,
    IDLE,
    Member,
    clock_offset,
    clock_problem,
    replicas,
    wall_clock,
)
from monitor.lock import file_holder
from monitor.report import iso


def run_status(url: str, now: datetime,
               wall: Callable[[], datetime] = wall_clock) -> dict[str, Any]:
    """Who runs the store at `url` (JSON-able): `mode`, `leader` (or None), `standbys`; on
    PostgreSQL also `clock_offset` (seconds this host's `wall` clock is ahead of the server)."""
    kind = backend(url)
    if kind != "postgresql":
        holder = file_holder(url) if kind == "sqlite" else None
        return {"mode": "single", "leader": {"name": holder} if holder else None,
                "standbys": []}
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = replicas(connection)
            offset = clock_offset(connection, wall)
    except sa.exc.SQLAlchemyError as exc:
        raise open_failure(url, exc) from exc
    finally:
        engine.dispose()
    leader = None
    if found.leader is not None:
        leader = _member(found.leader, now) | {
            "since": iso(found.leader_since),
            "lease": f"held while its session lives: confirmed {_ago(found.leader.last_seen, now)}"
                     f" ago, ended by the server after {IDLE} without a confirmation"}
    return {"mode": "leader and standbys", "leader": leader,
            "standbys": [_member(m, now) for m in found.standbys],
            "clock_offset": round(offset, 1)}


def run_problems(doc: dict[str, Any]) -> list[str]:
    """What in `run_status` needs a human: a clock too far off the database server's."""
    offset = doc.get("clock_offset")
    return [clock_problem(offset)] if offset is not None and abs(offset) > CLOCK_TOLERANCE \
        else []


def describe(doc: dict[str, Any]) -> list[str]:
    """`run_status` as lines for the terminal."""
    leader = doc["leader"]
    if doc["mode"] == "single":
        return [f"run: {leader['name']}" if leader else "run: no monitor run holds the store"]
    if leader is None and not doc["standbys"]:
        return ["run: no monitor run is connected to the store"]
    lines = [f"leader: {leader['name']}, since {leader['since'] or '?'} ({leader['lease']})"
             if leader else "leader: none yet (a standby takes over within seconds)"]
    return lines + [f"standby: {m['name']}, connected since {m['connected']}"
                    for m in doc["standbys"]]


def _member(member: Member, now: datetime) -> dict[str, Any]:
    return {"name": member.name, "address": member.address, "connected": iso(member.connected),
            "last_seen": _ago(member.last_seen, now)}


def _ago(when: datetime, now: datetime) -> str:
    return f"{max(0, round((now - when).total_seconds()))} s"
