"""The outbox: nothing lost, nothing twice.

A digest is stored with all its message parts (pending) before anything is sent. A
sender claims a pending digest with a conditional update (so two runs at once cannot
both send it) for a short lease it renews before every part, records each part's
attempt before sending it and Slack's `ts` as soon as Slack accepts it (`delivery.py`
says how a part whose answer was lost is found instead of sent twice). A transient
failure leaves the rest pending with a jittered backoff (or Slack's Retry-After); a
permanent one is recorded for `posting.py` to hold the channel; a process killed
mid-digest leaves a claim that the next run takes over as soon as that process is gone
(`claims.py`), or when its lease runs out within a minute, and that run finishes it.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from monitor import claims
from monitor.deliver.slack import MessagePart
from monitor.deliver.slack_client import Sender, Sent
from monitor.deliver.slack_errors import SlackDeliveryError
from monitor.delivery import Attempt, deliver
from monitor.errors import DeliveryError
from monitor.model import Article, Digest
from monitor.schema import articles, digest_parts, digests, posted
from monitor.store import Store, row_to_article

LEASE = timedelta(seconds=60)  # renewed before every part; a killed sender's runs out soon
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
    channel_id: str | None = None  # where part 1 went: the rest follow it

    def due(self, now: datetime) -> bool:
        return self.next_attempt is None or self.next_attempt <= now

    @property
    def key(self) -> str:
        """Unique to this digest in this store (ids alone repeat across stores)."""
        seed = f"{self.channel}|{self.id}|{self.created_at.isoformat()}"
        return hashlib.sha256(seed.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class SendResult:
    digest_id: int
    channel: str
    sent: int  # parts accepted in this attempt (posted, or found already in the channel)
    done: bool
    error: str | None = None
    attempted: bool = True  # False: not due yet (a backoff), nothing was tried
    retry_at: datetime | None = None
    permanent: bool = False  # a human must fix something first
    found: int = 0  # parts found in the channel instead of posted again
    notes: tuple[str, ...] = ()  # e.g. delivery there is at-least-once, and why
    channel_id: str = ""  # the channel's id, when Slack said it
    scopes: frozenset[str] | None = None  # the token's scopes, when Slack said them
    no_history: bool = False  # a lost answer could not be looked up (missing scope)
    subject: str = ""  # for a permanent error: "token", "channel" or "message"
    code: str = ""  # Slack's error code


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after each failed attempt, at most an hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def jittered(delay: timedelta, rng: random.Random) -> timedelta:
    """Between half and all of `delay`, so senders that failed together do not retry together."""
    return delay * (0.5 + rng.random() / 2)


class Outbox:
    def __init__(self, store: Store) -> None:
        self.store = store

    def last_window_end(self, channel: str) -> datetime | None:
        """Where the channel's next digest starts: the end of the last one stored.

        What `scan --post` sent does not count: its stories are kept out by `posted`.
        """
        query = sa.select(sa.func.max(digests.c.window_end)).where(
            digests.c.channel == channel, digests.c.origin == "digest")
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
            status: str = "pending", origin: str = "digest") -> int:
        """Store a digest, its parts and what it posts, in one transaction; return its id."""
        with self.store.begin() as c:
            inserted = c.execute(digests.insert().values(
                channel=digest.channel, created_at=now, window_start=digest.since,
                window_end=digest.until, stories=len(digest.stories), status=status,
                attempts=0, next_attempt=now, origin=origin)).inserted_primary_key
            assert inserted is not None
            digest_id = int(inserted[0])
            if parts:
                c.execute(digest_parts.insert(), [
                    {"digest_id": digest_id, "idx": p.index, "payload": _payload(p)}
                    for p in parts])
            carried = {sid: p.index for p in parts if not p.reply_to for sid in p.stories}
            # an update's articles join the story they follow up: news about it is measured
            # against all that the channel was told, and its thread stays the one to reply in
            rows = [{"channel": digest.channel, "uid": item.article.uid,
                     "story": story.update.story if story.update else story.id,
                     "digest_id": digest_id, "posted_at": now, "part": carried.get(story.id)}
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
                            r.next_attempt, r.last_error, r.total, r.done, r.channel_id)
                    for r in c.execute(query)]

    def claim(self, digest_id: int, now: datetime) -> str | None:
        """Take the digest for sending; None when another run holds it or it is not due."""
        return claims.claim(self.store, digest_id, now, LEASE)

    def renew(self, digest_id: int, token: str, now: datetime) -> None:
        claims.renew(self.store, digest_id, token, now, LEASE)

    def _parts(self, digest_id: int) -> tuple[list[MessagePart], dict[int, str],
                                              dict[int, datetime]]:
        """The parts, those Slack has (index -> ts), and those attempted without an answer."""
        query = sa.select(digest_parts).where(digest_parts.c.digest_id == digest_id) \
            .order_by(digest_parts.c.idx)
        with self.store.begin() as c:
            rows = list(c.execute(query))
        parts = [_part(r.idx, r.payload) for r in rows]
        unsure = {r.idx: r.sent_at for r in rows if not r.ts and r.sent_at is not None}
        return parts, {r.idx: r.ts for r in rows if r.ts}, unsure

    def set_part(self, digest_id: int, index: int, **values: object) -> None:
        with self.store.begin() as c:
            c.execute(digest_parts.update().where(digest_parts.c.digest_id == digest_id,
                                                  digest_parts.c.idx == index).values(**values))

    def set_channel_id(self, digest_id: int, channel_id: str) -> None:
        """Where part 1 went, once: the rest of the digest follows it there."""
        with self.store.begin() as c:
            c.execute(digests.update().where(digests.c.id == digest_id,
                                             digests.c.channel_id.is_(None))
                      .values(channel_id=channel_id))

    def _finish(self, digest_id: int, token: str, values: dict[str, object]) -> None:
        values |= {"claimed_by": None, "claimed_until": None}
        with self.store.begin() as c:
            c.execute(digests.update().where(digests.c.id == digest_id,
                                             digests.c.claimed_by == token).values(**values))

    def _failed(self, pending: Pending, token: str, now: datetime, exc: SlackDeliveryError,
                rng: random.Random) -> datetime | None:
        """Record a failed attempt; return when the next one is due (None: when fixed).

        A permanent error leaves the digest due: `posting.py` holds its channel until the
        setup changes or a day has passed, which no backoff here could know.
        """
        wait = max(jittered(backoff(pending.attempts + 1), rng),
                   timedelta(seconds=exc.retry_after or 0))
        values: dict[str, object] = {"attempts": pending.attempts + 1, "last_error": str(exc)}
        if exc.transient:
            values["next_attempt"] = now + wait
        self._finish(pending.id, token, values)
        return now + wait if exc.transient else None

    def send(self, pending: Pending, sender: Sender, channel: str,
             clock: Callable[[], datetime], rng: random.Random | None = None
             ) -> SendResult | None:
        """Send what is left of one digest; None when it is not ours to send now."""
        token = self.claim(pending.id, clock())
        if token is None:
            return None
        parts, sent, unsure = self._parts(pending.id)
        attempt = Attempt(pending.id, pending.key, pending.channel_id or channel, parts, sent,
                          unsure)
        recorder = _Recorder(self, pending.id, token, clock)
        try:
            deliver(attempt, sender, recorder, clock)
        except SlackDeliveryError as exc:
            retry_at = self._failed(pending, token, clock(), exc, rng or random.Random())
            return recorder.result(pending, attempt, exc, retry_at)
        except DeliveryError as exc:  # the claim was lost: the other run finishes the digest
            return recorder.result(pending, attempt, exc, None)
        self._finish(pending.id, token, {"status": "sent", "sent_at": clock(),
                                         "last_error": None, "next_attempt": None})
        return recorder.result(pending, attempt, None, None)


class _Recorder:
    """Writes each step of one digest's delivery to the outbox as it happens."""

    def __init__(self, outbox: Outbox, digest_id: int, token: str,
                 clock: Callable[[], datetime]) -> None:
        self.outbox, self.digest_id, self.token, self.clock = outbox, digest_id, token, clock
        self.count = 0
        self.channel_id = ""
        self.scopes: frozenset[str] | None = None

    def result(self, pending: Pending, attempt: Attempt, exc: DeliveryError | None,
               retry_at: datetime | None) -> SendResult:
        slack = exc if isinstance(exc, SlackDeliveryError) else None
        return SendResult(
            pending.id, pending.channel, self.count, exc is None, str(exc) if exc else None,
            retry_at=retry_at, permanent=slack is not None and not slack.transient,
            found=attempt.found, notes=tuple(attempt.notes),
            channel_id=self.channel_id or pending.channel_id or "", scopes=self.scopes,
            no_history=attempt.unverified, subject=slack.subject if slack else "",
            code=slack.code if slack else "")

    def renew(self) -> None:
        self.outbox.renew(self.digest_id, self.token, self.clock())

    def attempting(self, index: int, at: datetime) -> None:
        # sent_at without a ts: sent, answer not (yet) known; a later run looks first
        self.outbox.set_part(self.digest_id, index, sent_at=at)

    def refused(self, index: int) -> None:
        self.outbox.set_part(self.digest_id, index, sent_at=None)

    def accepted(self, index: int, sent: Sent) -> None:
        self.outbox.set_part(self.digest_id, index, ts=sent.ts)
        if sent.channel_id and not self.channel_id:
            self.channel_id = sent.channel_id
            self.outbox.set_channel_id(self.digest_id, sent.channel_id)
        self.scopes = sent.scopes if sent.scopes is not None else self.scopes
        self.count += 1


def _payload(part: MessagePart) -> str:
    return json.dumps({"total": part.total, "text": part.text, "blocks": list(part.blocks),
                       "thread": part.thread, "stories": list(part.stories),
                       "reply_to": part.reply_to, "reply_channel": part.reply_channel},
                      ensure_ascii=False)


def _part(index: int, payload: str) -> MessagePart:
    data = json.loads(payload)  # parts stored before follow-ups have no stories or reply
    return MessagePart(index, data["total"], data["text"], tuple(data["blocks"]),
                       data["thread"], tuple(data.get("stories", ())),
                       data.get("reply_to", ""), data.get("reply_channel", ""))
