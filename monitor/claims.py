"""Who holds a claim on a digest, and whether that process is provably gone.

A claim names its owner as pid, host and the process's start time (as the kernel counts
it, so a pid reused by a later process does not pass for the owner). The host includes
the pid namespace where there is one, so two containers with the same hostname are not
mistaken for one machine. Only a claim made on this host can be proved stale this way;
any other waits for its lease to run out.

`claim` and `renew` are the conditional updates that take and keep a claim.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa

from monitor.errors import DeliveryError
from monitor.schema import digests
from monitor.store import Store

_PROC = Path("/proc")


@dataclass(frozen=True, slots=True)
class Owner:
    pid: int
    host: str
    started: str  # the process's start time in clock ticks since boot; "" where unknown

    def encode(self) -> str:
        return f"{self.pid}/{self.started}/{self.host}"

    @classmethod
    def decode(cls, text: str | None) -> Owner | None:
        pid, _, rest = (text or "").partition("/")
        started, _, host = rest.partition("/")
        return cls(int(pid), host, started) if pid.isdigit() and host else None

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host.split(':')[0]}"


def start_time(pid: int) -> str | None:
    """A process's start time from /proc; None when it does not exist, "" when unknowable."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return None
    except OSError:
        return ""
    # the command name (field 2) may hold spaces and parentheses: split after its last ")"
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else ""


def _host() -> str:
    name = socket.gethostname()
    try:
        return f"{name}:{os.readlink('/proc/self/ns/pid')}"
    except OSError:
        return name


def this_process() -> Owner:
    return _owner(os.getpid())  # by pid: a forked child is not its parent


@lru_cache(maxsize=4)
def _owner(pid: int) -> Owner:
    return Owner(pid, _host(), start_time(pid) or "")


def gone(owner: Owner) -> bool:
    """True only when the owner's process provably no longer runs."""
    here = this_process()
    if owner.host != here.host or owner == here:
        return False
    if _PROC.is_dir():
        started = start_time(owner.pid)
        return started is None or bool(owner.started and started and started != owner.started)
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # it runs, as another user
    return False


def claim(store: Store, digest_id: int, now: datetime, lease: timedelta) -> str | None:
    """Take a pending, due digest for sending; None when another live run holds it.

    A claim whose lease ran out is free; so is one whose owner is provably gone.
    """
    token = secrets.token_hex(8)
    mine = {"claimed_by": token, "claimed_until": now + lease,
            "claim_owner": this_process().encode()}
    due = sa.or_(digests.c.next_attempt.is_(None), digests.c.next_attempt <= now)
    wanted = sa.and_(digests.c.id == digest_id, digests.c.status == "pending", due)
    free = sa.or_(digests.c.claimed_until.is_(None), digests.c.claimed_until < now)
    with store.begin() as c:
        if c.execute(digests.update().where(wanted, free).values(**mine)).rowcount == 1:
            return token
        row = c.execute(sa.select(digests.c.claimed_by, digests.c.claim_owner)
                        .where(wanted)).first()
        owner = Owner.decode(row.claim_owner) if row is not None else None
        if row is None or owner is None or not gone(owner):
            return None
        taken = c.execute(digests.update().where(wanted, digests.c.claimed_by == row.claimed_by)
                          .values(**mine))
        return token if taken.rowcount == 1 else None


def renew(store: Store, digest_id: int, token: str, now: datetime, lease: timedelta) -> None:
    """Extend our claim; raise DeliveryError when another run has taken the digest over."""
    update = (digests.update().where(digests.c.id == digest_id, digests.c.claimed_by == token)
              .values(claimed_until=now + lease))
    with store.begin() as c:
        if c.execute(update).rowcount != 1:
            raise DeliveryError(f"digest {digest_id} was taken over by another run while this "
                                "one sent it; that run finishes it")
