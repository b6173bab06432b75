"""What delivery learned about each [[channels]] entry, kept in the store.

- The Slack channel id, resolved once: a digest resumed later threads under its part 1
  in the right channel even if the channel was renamed.
- Whether a lost answer can be looked up there (the history scope), so `status` and the
  log can say once that delivery is at-least-once until the scope is granted.
- A permanent error, with a fingerprint of the setup it happened with: the channel's
  digests wait until the fingerprint changes (a new token, another channel in the
  config, a new release) or a day has passed, so such an error costs one call a day.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from monitor import __version__
from monitor.config import Channel, Config
from monitor.schema import slack_channels
from monitor.store import Store

RETRY_AFTER_BLOCK = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Block:
    """A permanent error that holds a channel's digests."""

    code: str
    subject: str  # "token", "channel" or "message"
    error: str  # the sentence, with its fix
    fingerprint: str
    since: datetime

    @property
    def until(self) -> datetime:
        return self.since + RETRY_AFTER_BLOCK


@dataclass(frozen=True, slots=True)
class ChannelState:
    channel: str
    target: str  # slack_channel as configured when the id was learned
    channel_id: str | None
    private: bool | None
    history_missing: bool
    block: Block | None

    def id_for(self, target: str) -> str | None:
        """The stored id, if it was learned for this very slack_channel."""
        return self.channel_id if target == self.target else None


def fingerprint(channel: Channel, config: Config) -> str:
    """A hash of everything whose change may fix a permanent error (never the token itself)."""
    secret = config.slack_webhook_url if channel.webhook else config.slack_bot_token
    seed = "\n".join([__version__, config.slack_api_url, secret, channel.slack_channel,
                      str(channel.webhook)])
    return hashlib.sha256(seed.encode()).hexdigest()


def holds(state: ChannelState | None, fingerprint_now: str, now: datetime) -> Block | None:
    """The block that still holds the channel: same setup, and less than a day old."""
    block = state.block if state else None
    if block is None or block.fingerprint != fingerprint_now or now >= block.until:
        return None
    return block


class SlackState:
    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, channel: str) -> ChannelState | None:
        return self.all().get(channel)

    def all(self) -> dict[str, ChannelState]:
        with self.store.begin() as c:
            rows = list(c.execute(sa.select(slack_channels)))
        return {r.channel: _state(r) for r in rows}

    def learned(self, channel: str, target: str, now: datetime, *,
                channel_id: str | None = None, private: bool | None = None,
                history_missing: bool | None = None) -> bool:
        """Record what delivery (or `slack check`) found; True when the history flag changed."""
        before = self.get(channel)
        values: dict[str, object] = {"target": target, "updated_at": now}
        if channel_id is not None:
            values |= {"channel_id": channel_id, "private": private}
        if history_missing is not None:
            values["history"] = "missing" if history_missing else None
        self._upsert(channel, before, values)
        was = before.history_missing if before else False
        return history_missing is not None and history_missing != was

    def block(self, channel: str, target: str, block: Block) -> None:
        values = {"target": target, "updated_at": block.since, "blocked_code": block.code,
                  "blocked_subject": block.subject, "blocked_error": block.error,
                  "blocked_fingerprint": block.fingerprint, "blocked_at": block.since}
        self._upsert(channel, self.get(channel), values)

    def unblock(self, channel: str) -> bool:
        """Let the channel's digests go on; True when there was a block."""
        values = dict.fromkeys(("blocked_code", "blocked_subject", "blocked_error",
                                "blocked_fingerprint", "blocked_at"))
        with self.store.begin() as c:
            done = c.execute(slack_channels.update().where(
                slack_channels.c.channel == channel,
                slack_channels.c.blocked_code.is_not(None)).values(**values))
            return done.rowcount > 0

    def _upsert(self, channel: str, before: ChannelState | None,
                values: dict[str, object]) -> None:
        with self.store.begin() as c:
            if before is None:
                c.execute(slack_channels.insert().values(channel=channel, **values))
            else:
                c.execute(slack_channels.update().where(slack_channels.c.channel == channel)
                          .values(**values))


def _state(row: sa.Row[tuple[object, ...]]) -> ChannelState:
    r = row._mapping
    block = None
    if r["blocked_code"] is not None:
        block = Block(r["blocked_code"], r["blocked_subject"] or "", r["blocked_error"] or "",
                      r["blocked_fingerprint"] or "", r["blocked_at"])
    return ChannelState(r["channel"], r["target"], r["channel_id"], r["private"],
                        r["history"] == "missing", block)
