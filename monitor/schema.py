"""The store's tables at the head revision: the one description migrations are checked against.

Every change here needs an Alembic revision in monitor/migrations/versions/ (see that
package's docstring); tests/test_migrate.py fails while the two disagree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

# meta.schema_version is what release 0.1.0 checks, before Alembic: it refuses a store whose
# number is above 1. Alembic's revision is the version now; this number stays 2 for good.
SCHEMA_VERSION = 2
metadata = sa.MetaData()


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, whatever the database keeps."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        result: datetime = value
        return result.replace(tzinfo=UTC)


meta = sa.Table(
    "meta", metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

feeds = sa.Table(
    "feeds", metadata,
    sa.Column("url", sa.String(2000), primary_key=True),
    sa.Column("title", sa.Text, nullable=False, default=""),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("body_hash", sa.String(64)),
    sa.Column("last_status", sa.String(20)),
    sa.Column("status_code", sa.Integer),
    sa.Column("error_count", sa.Integer, nullable=False, default=0),
    sa.Column("last_error", sa.Text),
    sa.Column("last_attempt", UTCDateTime),
    sa.Column("last_success", UTCDateTime),
    sa.Column("failing_since", UTCDateTime),
    sa.Column("next_poll", UTCDateTime),
    sa.Column("dead", sa.Boolean, nullable=False, default=False),
    sa.Column("moved_to", sa.Text),
    sa.Column("ttl_minutes", sa.Integer),
    sa.Column("item_uids", sa.Text, nullable=False, default="[]"),  # JSON: uids in the last body
)

articles = sa.Table(
    "articles", metadata,
    sa.Column("uid", sa.String(2000), primary_key=True),
    sa.Column("url", sa.String(2000), nullable=False, index=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("published", UTCDateTime, index=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("feed_url", sa.String(2000), nullable=False, index=True),
    sa.Column("first_seen", UTCDateTime, nullable=False, index=True),
)

matches = sa.Table(
    "matches", metadata,
    sa.Column("uid", sa.String(2000), primary_key=True),
    sa.Column("rule_id", sa.String(200), primary_key=True),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("hits", sa.Text, nullable=False),  # JSON list of Hit fields
    sa.Column("matched_at", UTCDateTime, nullable=False),
)

pages = sa.Table(
    "pages", metadata,  # full-text cache by canonical URL; errors are cached too
    sa.Column("url", sa.String(2000), primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("published", UTCDateTime),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("error", sa.Text),
    sa.Column("fetched_at", UTCDateTime, nullable=False),
)

cache = sa.Table(
    "cache", metadata,  # small values by content hash, e.g. LLM summaries
    sa.Column("key", sa.String(128), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

digests = sa.Table(
    "digests", metadata,  # the outbox: a digest is stored, with its parts, before any is sent
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("channel", sa.String(200), nullable=False, index=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("window_start", UTCDateTime),
    sa.Column("window_end", UTCDateTime, nullable=False),
    sa.Column("stories", sa.Integer, nullable=False),
    sa.Column("status", sa.String(20), nullable=False, index=True),  # pending | sent
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt", UTCDateTime),
    sa.Column("last_error", sa.Text),
    sa.Column("claimed_by", sa.String(64)),
    sa.Column("claimed_until", UTCDateTime),
    sa.Column("sent_at", UTCDateTime),
    sa.Column("claim_owner", sa.String(400)),  # pid/host/start of the claimer (claims.py)
    sa.Column("channel_id", sa.String(32)),  # the Slack channel part 1 went to: replies follow
    # "digest" (scheduled or `monitor digest`: moves the channel's window) or "scan" (does not)
    sa.Column("origin", sa.String(20), nullable=False, server_default="digest"),
)

digest_parts = sa.Table(
    "digest_parts", metadata,
    sa.Column("digest_id", sa.Integer, sa.ForeignKey("digests.id"), primary_key=True),
    sa.Column("idx", sa.Integer, primary_key=True),
    sa.Column("payload", sa.Text, nullable=False),  # JSON: total, text, blocks, thread
    sa.Column("ts", sa.String(64)),  # Slack's ts once accepted
    sa.Column("sent_at", UTCDateTime),  # when last sent; without a ts, the answer is unknown
)

posted = sa.Table(
    # what each channel has been given, so no story goes there twice; `story` is the id of the
    # story the article was posted under (an update's rows carry the story it updates)
    "posted", metadata,
    sa.Column("channel", sa.String(200), primary_key=True),
    sa.Column("uid", sa.String(2000), primary_key=True),
    sa.Column("story", sa.String(64), nullable=False),
    sa.Column("digest_id", sa.Integer, nullable=False),
    sa.Column("posted_at", UTCDateTime, nullable=False),
    sa.Column("part", sa.Integer),  # the message part that carried the story (None: no Slack)
)

slack_channels = sa.Table(
    "slack_channels", metadata,  # what delivery learned about each [[channels]] entry
    sa.Column("channel", sa.String(200), primary_key=True),  # the [[channels]] name
    sa.Column("target", sa.String(200), nullable=False),  # slack_channel when this was learned
    sa.Column("channel_id", sa.String(32)),
    sa.Column("private", sa.Boolean),
    sa.Column("history", sa.String(20)),  # "missing": a lost answer cannot be looked up
    # a permanent error: the digest waits until the fingerprint (a hash of the token and the
    # channel's settings, never the token) changes or a day has passed
    sa.Column("blocked_code", sa.String(64)),
    sa.Column("blocked_subject", sa.String(20)),  # "token", "channel" or "message"
    sa.Column("blocked_error", sa.Text),
    sa.Column("blocked_fingerprint", sa.String(64)),
    sa.Column("blocked_at", UTCDateTime),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

facts = sa.Table(
    "facts", metadata,  # what each matched article states (monitor.facts), read by rule
    sa.Column("uid", sa.String(2000), primary_key=True),  # the article's
    sa.Column("data", sa.Text, nullable=False),  # JSON: Facts.to_json()
)
