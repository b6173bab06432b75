"""A claim left by a dead process is taken over at once; a live one's only when its lease ends."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from monitor.claims import Owner, gone, start_time, this_process
from monitor.outbox import LEASE, Outbox
from monitor.posting import record
from monitor.schema import digests
from monitor.store import Store
from tests.conftest import NOW
from tests.test_outbox import item, prepared_digest, stored


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_an_owner_reads_back_and_this_process_is_alive() -> None:
    me = this_process()
    assert Owner.decode(me.encode()) == me
    assert Owner.decode("") is None and Owner.decode("garbage") is None
    assert me.started == start_time(os.getpid()) and me.started
    assert not gone(me)


def test_gone_only_when_provably_gone() -> None:
    me = this_process()
    assert gone(Owner(dead_pid(), me.host, "12345"))
    assert gone(Owner(os.getpid(), me.host, "1"))  # the pid now belongs to another process
    parent = os.getppid()
    assert not gone(Owner(parent, me.host, start_time(parent) or ""))
    assert not gone(Owner(dead_pid(), "another-host:pid:[1]", "12345"))  # cannot tell


def claimed_by(store: Store, owner: Owner, until_offset: timedelta) -> int:
    with store.begin() as c:
        (digest_id,) = c.execute(sa.select(digests.c.id)).scalars()
        c.execute(digests.update().values(claimed_by="theirs", claim_owner=owner.encode(),
                                          claimed_until=NOW + until_offset))
    return int(digest_id)


def one_digest(store: Store, tmp_path: Path) -> None:
    items = [item(n) for n in range(3)]
    stored(store, items)
    record(store, prepared_digest(store, items, tmp_path), NOW)


def test_a_dead_owners_claim_is_taken_over_at_once(store: Store, tmp_path: Path) -> None:
    one_digest(store, tmp_path)
    digest_id = claimed_by(store, Owner(dead_pid(), this_process().host, "1"), LEASE)
    token = Outbox(store).claim(digest_id, NOW)
    assert token is not None
    with store.begin() as c:
        row = c.execute(sa.select(digests)).one()
    assert row.claimed_by == token and row.claim_owner == this_process().encode()


def test_a_live_or_faraway_owner_keeps_it_until_the_lease_ends(store: Store,
                                                                 tmp_path: Path) -> None:
    one_digest(store, tmp_path)
    parent = os.getppid()
    for owner in (Owner(parent, this_process().host, start_time(parent) or ""),
                  Owner(dead_pid(), "elsewhere:pid:[7]", "1")):
        digest_id = claimed_by(store, owner, LEASE)
        assert Outbox(store).claim(digest_id, NOW) is None
        assert Outbox(store).claim(digest_id, NOW + LEASE + timedelta(seconds=1)) is not None
