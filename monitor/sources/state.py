"""How a feed's remembered state changes after a poll. Pure: old state and outcome in."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from monitor.model import FeedState
from monitor.sources.fetch import Fetched


def after_success(state: FeedState, fetched: Fetched, now: datetime, *, title: str,
                  body_hash: str | None, item_uids: tuple[str, ...]) -> FeedState:
    """A fetch that gave us usable content (new, unchanged or 304)."""
    headers = fetched.headers
    return dataclasses.replace(
        state,
        title=title or state.title,
        etag=headers.get("etag", state.etag if fetched.status == "not_modified" else None),
        last_modified=headers.get(
            "last-modified", state.last_modified if fetched.status == "not_modified" else None),
        body_hash=body_hash or state.body_hash,
        last_status=fetched.status,
        status_code=fetched.code,
        error_count=0,
        last_error=None,
        last_attempt=now,
        last_success=now,
        failing_since=None,
        dead=False,
        moved_to=fetched.moved_to or state.moved_to,
        item_uids=item_uids,
    )


def after_failure(state: FeedState, fetched: Fetched | None, now: datetime,
                  error: str) -> FeedState:
    """A fetch or parse that failed: count it, remember since when, keep the validators."""
    return dataclasses.replace(
        state,
        last_status="error",
        status_code=fetched.code if fetched else None,
        error_count=state.error_count + 1,
        last_error=error,
        last_attempt=now,
        failing_since=state.failing_since or now,
        dead=bool(fetched and fetched.code == 410),
    )
