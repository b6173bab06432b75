"""The outbox: nothing lost, nothing twice.

A digest is stored with all its message parts (pending) before anything is sent. A
sender claims a pending digest with a conditional update (so two runs at once cannot
both send it), posts the parts not yet accepted, and records each part's Slack `ts` as
soon as Slack accepts it. A failure leaves the rest pending with a backoff; a process
killed between two parts resumes at the next part on the next run.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from monitor.deliver.slack import MessagePart
from monitor.deliver.slack_client import Sender, send_parts
from monitor.errors import DeliveryError
from monitor.model import Article, Digest
from monitor.schema import articles, digest_parts, digests, posted
from monitor.store import Store, row_to_article

LEASE = timedelta(minutes=10)  # a claim outlives any one send; a crashed claimer expires
MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Pending:
    """A stored digest that still has parts to send."""

    id: int
    channel: str
    created_at: datetime
    window_end: datetime
    attempts: int
    next_attempt: datetime | None
    last_error: str | None
    parts_total: int
    parts_sent: int


@dataclass(frozen=True, slots=True)
class SendResult:
    digest_id: int
    channel: str
    sent: int  # parts accepted in this attempt
    done: bool
    error: str | None = None


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after each failed attempt, at most an hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


class Outbox:
    def __init__(self, store: Store) -> None:
        self.store = store

    def last_window_end(self, channel: str) -> datetime | None:
        """Where the channel's next digest starts: the end of the last one stored."""
        query = sa.select(sa.func.max(digests.c.window_end)).where(digests.c.channel == channel)
        with self.store.begin() as c:
            value: datetime | None = c.execute(query).scalar()
        return value

    def last_sent(self, channel: str) -> datetime | None:
        """When the channel's last digest was delivered (or noted as empty)."""
        query = sa.select(sa.func.max(digests.c.created_at)).where(
            digests.c.channel == channel, digests.c.status.in_(["sent", "empty"]))
        with self.store.begin() as c:
            value: datetime | None = c.execute(query).scalar()
        return value

    def posted_uids(self, channel: str) -> set[str]:
        with self.store.begin() as c:
            rows = c.execute(sa.select(posted.c.uid).where(posted.c.channel == channel))
            return set(rows.scalars())

    def posted_articles(self, channel: str, since: datetime) -> list[Article]:
        """Articles given to the channel since `since`, to keep their stories out later."""
        query = (sa.select(articles).join(posted, posted.c.uid == articles.c.uid)
                 .where(posted.c.channel == channel, posted.c.posted_at >= since))
        with self.store.begin() as c:
            return [row_to_article(row._mapping) for row in c.execute(query)]

    def add(self, digest: Digest, parts: Sequence[MessagePart], now: datetime,
            status: str = "pending") -> int:
        """Store a digest, its parts and what it posts, in one transaction; return its id."""
        with self.store.begin() as c:
            inserted = c.execute(digests.insert().values(
                channel=digest.channel, created_at=now, window_start=digest.since,
                window_end=digest.until, stories=len(digest.stories), status=status,
                attempts=0, next_attempt=now)).inserted_primary_key
            assert inserted is not None
            digest_id = int(inserted[0])
            if parts:
                c.execute(digest_parts.insert(), [
                    {"digest_id": digest_id, "idx": p.index, "payload": _payload(p)}
                    for p in parts])
            rows = [{"channel": digest.channel, "uid": item.article.uid, "story": story.id,
                     "digest_id": digest_id, "posted_at": now}
                    for story in digest.stories for item in story.items]
            seen = set(c.execute(sa.select(posted.c.uid)
                                 .where(posted.c.channel == digest.channel)).scalars())
            fresh = [r for r in rows if r["uid"] not in seen]
            if fresh:
                c.execute(posted.insert(), list({r["uid"]: r for r in fresh}.values()))
        return digest_id

    def mark_delivered(self, digest_id: int, now: datetime) -> None:
        """A digest delivered outside Slack (printed to the terminal)."""
        with self.store.begin() as c:
            c.execute(digests.update().where(digests.c.id == digest_id)
                      .values(status="sent", sent_at=now, next_attempt=None))

    def pending(self, channel: str | None = None) -> list[Pending]:
        sent = sa.func.count(digest_parts.c.ts)
        query = (sa.select(digests, sa.func.count().label("total"), sent.label("done"))
                 .join(digest_parts, digest_parts.c.digest_id == digests.c.id)
                 .where(digests.c.status == "pending").group_by(digests.c.id)
                 .order_by(digests.c.id))
        if channel is not None:
            query = query.where(digests.c.channel == channel)
        with self.store.begin() as c:
            return [Pending(r.id, r.channel, r.created_at, r.window_end, r.attempts,
                            r.next_attempt, r.last_error, r.total, r.done)
                    for r in c.execute(query)]

    def claim(self, digest_id: int, now: datetime) -> str | None:
        """Take the digest for sending; None when another run holds it or it is not due."""
        token = secrets.token_hex(8)
        due = sa.or_(digests.c.next_attempt.is_(None), digests.c.next_attempt <= now)
        free = sa.or_(digests.c.claimed_until.is_(None), digests.c.claimed_until < now)
        update = (digests.update()
                  .where(digests.c.id == digest_id, digests.c.status == "pending", due, free)
                  .values(claimed_by=token, claimed_until=now + LEASE))
        with self.store.begin() as c:
            return token if c.execute(update).rowcount == 1 else None

    def _parts(self, digest_id: int) -> tuple[list[MessagePart], dict[int, str]]:
        query = sa.select(digest_parts).where(digest_parts.c.digest_id == digest_id) \
            .order_by(digest_parts.c.idx)
        with self.store.begin() as c:
            rows = list(c.execute(query))
        parts = [_part(r.idx, r.payload) for r in rows]
        return parts, {r.idx: r.ts for r in rows if r.ts}

    def _mark(self, digest_id: int, index: int, ts: str, now: datetime) -> None:
        with self.store.begin() as c:
            c.execute(digest_parts.update().where(digest_parts.c.digest_id == digest_id,
                                                  digest_parts.c.idx == index)
                      .values(ts=ts, sent_at=now))

    def _finish(self, digest_id: int, token: str, now: datetime, error: str | None,
                attempts: int) -> None:
        values: dict[str, object] = {"claimed_by": None, "claimed_until": None}
        if error is None:
            values |= {"status": "sent", "sent_at": now, "last_error": None}
        else:
            values |= {"attempts": attempts + 1, "last_error": error,
                       "next_attempt": now + backoff(attempts + 1)}
        with self.store.begin() as c:
            c.execute(digests.update().where(digests.c.id == digest_id,
                                             digests.c.claimed_by == token).values(**values))

    def send(self, pending: Pending, sender: Sender, channel: str,
             clock: Callable[[], datetime]) -> SendResult | None:
        """Send what is left of one digest; None when it is not ours to send now."""
        token = self.claim(pending.id, clock())
        if token is None:
            return None
        parts, sent = self._parts(pending.id)
        accepted: list[int] = []

        def record(part: MessagePart, ts: str) -> None:
            self._mark(pending.id, part.index, ts, clock())
            accepted.append(part.index)

        try:
            send_parts(sender, parts, channel=channel, sent=sent, on_sent=record)
        except DeliveryError as exc:
            self._finish(pending.id, token, clock(), str(exc), pending.attempts)
            return SendResult(pending.id, pending.channel, len(accepted), False, str(exc))
        self._finish(pending.id, token, clock(), None, pending.attempts)
        return SendResult(pending.id, pending.channel, len(accepted), True)


def _payload(part: MessagePart) -> str:
    return json.dumps({"total": part.total, "text": part.text, "blocks": list(part.blocks),
                       "thread": part.thread}, ensure_ascii=False)


def _part(index: int, payload: str) -> MessagePart:
    data = json.loads(payload)
    return MessagePart(index, data["total"], data["text"], tuple(data["blocks"]),
                       data["thread"])
