"""The capacity tracker's services: stored matches with their facts, a row per stored story,
and a channel's week in figures on its tracker day.

The edge where the store meets the pure core (`digest.group_stories`, `facts.totals`):
`monitor facts --stored` asks `stored_stories`; a digest asks `week_tracker`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from monitor.config import Channel
from monitor.config_check import WEEKDAYS
from monitor.digest import group_stories
from monitor.facts.merge import story_facts
from monitor.facts.totals import build_tracker
from monitor.factstore import first_seen, load_facts
from monitor.model import Facts, Item, Story, Tracker
from monitor.store import Store

WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class StoredStory:
    """One story of the store with its articles' facts merged."""

    date: datetime  # when it was first told: its earliest publication, else first seen
    story: Story
    facts: Facts


def stored_items(store: Store, since: datetime | None, until: datetime,
                 rule_ids: Sequence[str] = ()) -> list[Item]:
    """The matched articles first seen in (since, until], with their matches and facts."""
    found = [(article, matches) for article, matches
             in store.matched_between(since, until, rule_ids) if matches]
    facts = load_facts(store, [article for article, _ in found])
    return [Item(article, tuple(matches), facts=facts.get(article.uid))
            for article, matches in found]


def stored_stories(store: Store, *, since: datetime | None, until: datetime) -> list[StoredStory]:
    """Every story of the matches first seen in the window, oldest first."""
    items = stored_items(store, since, until)
    seen = first_seen(store, (item.article.uid for item in items))
    rows = [StoredStory(_told(story, seen), story, story_facts(story))
            for story in group_stories(items)]
    return sorted(rows, key=lambda row: (row.date, row.story.id))


def _told(story: Story, seen: Mapping[str, datetime]) -> datetime:
    published = [item.article.published for item in story.items if item.article.published]
    if published:
        return min(published)
    return min(seen[item.article.uid] for item in story.items)


def tracker_due(channel: Channel, *, now: datetime, zone: tzinfo,
                last: datetime | None) -> bool:
    """Whether a digest built `now` carries the week in figures: the channel's first digest
    on its tracker day (`last` is where its previous digest ended)."""
    if not channel.tracker:
        return False
    local = now.astimezone(zone)
    if WEEKDAYS[local.weekday()] != channel.tracker:
        return False
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return last is None or last < midnight


def week_tracker(store: Store, channel: Channel, *, now: datetime, zone: tzinfo,
                 last: datetime | None) -> Tracker | None:
    """The channel's week in figures when a digest built `now` carries it, else None.

    The week is the seven days before `now`, by when monitor first saw each article (as
    digest windows go), over the channel's rules; stories are grouped as a digest groups
    them, every story of the week counted, posted or not.
    """
    if not tracker_due(channel, now=now, zone=zone, last=last):
        return None
    since = now - WEEK
    items = stored_items(store, since, now, channel.rules)
    return build_tracker(group_stories(items), since=since, until=now)
