"""The store's tables. Bump SCHEMA_VERSION with every change and say how to migrate."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

SCHEMA_VERSION = 1
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
