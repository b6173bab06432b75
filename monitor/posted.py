"""What a channel was told: the stories it received, read back from the store for follow-ups.

Each posted story comes with the Slack message that carried it (the digest part's `ts` and
the digest's channel id), when a bot posted it: an update links to that message and replies
in its thread. A webhook's parts have no `ts`, and a digest printed to the terminal no part.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from monitor.deliver.slack_client import WEBHOOK_TS
from monitor.digest import story_id
from monitor.followups import PostedStory
from monitor.model import Item
from monitor.schema import articles, digest_parts, digests, posted
from monitor.store import Store, row_to_article

NO_TS = ("", WEBHOOK_TS)


def posted_stories(store: Store, channel: str, since: datetime) -> list[PostedStory]:
    """The stories the channel received since `since`, each with its articles, lead first."""
    query = (sa.select(articles, posted.c.story, posted.c.posted_at.label("at"),
                       digests.c.channel_id, digest_parts.c.ts)
             .join(posted, posted.c.uid == articles.c.uid)
             .join(digests, digests.c.id == posted.c.digest_id, isouter=True)
             .join(digest_parts, sa.and_(digest_parts.c.digest_id == posted.c.digest_id,
                                         digest_parts.c.idx == posted.c.part), isouter=True)
             .where(posted.c.channel == channel, posted.c.posted_at >= since)
             .order_by(posted.c.posted_at))
    by_story: defaultdict[str, list[Any]] = defaultdict(list)
    with store.begin() as c:
        for row in c.execute(query):
            by_story[row.story].append(row)
    return [_story(story, rows) for story, rows in by_story.items()]


def _story(story: str, rows: list[Any]) -> PostedStory:
    """One story from its rows (oldest first): its lead is the article its id was made from,
    and its message the first that carried it."""
    found = [(row_to_article(row._mapping), row) for row in rows]
    found.sort(key=lambda pair: story_id(Item(pair[0], ())) != story)  # stable: lead first
    carrier = next((row for _, row in found if row.ts not in NO_TS and row.ts is not None
                    and row.channel_id), None)
    return PostedStory(id=story, articles=tuple(a for a, _ in found),
                       posted_at=min(row.at for row in rows),
                       channel_id=carrier.channel_id if carrier is not None else "",
                       ts=carrier.ts if carrier is not None else "")
