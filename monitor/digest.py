"""From matched items to one channel's digest: group the same story from several feeds,
drop stories already posted (keeping news about them as updates), rank, cap per source, cut to
the budget and section by rule.

Pure: `now` and the posted history are passed in. Same-story judgement lives in
`monitor.stories`; this module clusters with it (average link) and orders the result.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from monitor.errors import ConfigError
from monitor.fingerprint import seconds
from monitor.followups import Followups, PostedStory
from monitor.model import SECTION_MODES, Article, Digest, Item, Section, Story
from monitor.stories import (
    THRESHOLD,
    WINDOW,
    Profile,
    candidate_pairs,
    default_model,
    identity_keys,
    profiles,
    similarity,
)
from monitor.wording import plural

HALF_LIFE = timedelta(hours=24)  # a day-old story counts three quarters of a fresh one
OTHER = "Other"  # the section of stories whose lead matched no rule

Span = tuple[float, float] | None  # earliest and latest publication (epoch seconds) in a cluster


def group_stories(items: Sequence[Item], *, window: timedelta = WINDOW,
                  background: Iterable[Article] = (), semantic: bool = True,
                  threshold: float = THRESHOLD) -> list[Story]:
    """Group items that report one event into stories, ordered by their leads.

    `background` (such as articles posted lately) only sharpens the term weights;
    `semantic=False` keeps to the lexical method even when the sentence model is installed.
    """
    # cluster in a canonical order so that the grouping does not depend on the input order
    order = sorted(range(len(items)), key=lambda i: _identity(items[i].article))
    articles = [items[i].article for i in order]
    found, vectors = profiles(articles, corpus=background, model=default_model(semantic))
    clusters = _average_link(found, _same_article(articles), window,
                             candidate_pairs(found, vectors), threshold)
    stories = [_story(items, [order[k] for k in members]) for members in clusters]
    return [story for _, story in sorted(stories, key=lambda pair: pair[0])]


def _identity(article: Article) -> tuple[str, str, str, str]:
    return article.uid, article.url, article.title, article.source


def _same_article(articles: Sequence[Article]) -> list[list[int]]:
    """Start groups: items of one article (same canonical URL or uid) are one story outright."""
    parent = list(range(len(articles)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, article in enumerate(articles):
        for key in identity_keys(article):
            if key in first:
                parent[root(i)] = root(first[key])
            else:
                first[key] = i
    groups: defaultdict[int, list[int]] = defaultdict(list)
    for i in range(len(articles)):
        groups[root(i)].append(i)
    return list(groups.values())


def _average_link(profiles: Sequence[Profile], groups: Sequence[list[int]],
                  window: timedelta, pairs: Sequence[tuple[int, int]],
                  threshold: float) -> list[list[int]]:
    """Merge the two closest clusters (mean pair similarity) until none reaches `threshold`.

    The mean keeps a single bridging article from chaining two stories together; a
    cluster never spans more than `window` of publication times. A start group (one
    article seen twice) is one vote, at its copies' best, so a bare "UPDATE" repost
    does not dilute it.
    """
    members = dict(enumerate(groups))
    owner = {i: g for g, group in members.items() for i in group}
    links: defaultdict[int, dict[int, float]] = defaultdict(dict)
    for i, j in pairs:
        a, b = owner[i], owner[j]
        score = similarity(profiles[i], profiles[j], window) if a != b else 0.0
        if score > links[a].get(b, 0.0):
            links[a][b] = links[b][a] = score
    votes = dict.fromkeys(members, 1)
    spans = {g: _span(profiles, group) for g, group in members.items()}
    heap = [(-total, a, b) for a, near in links.items() for b, total in near.items() if a < b]
    heapq.heapify(heap)
    fresh = len(groups)
    while heap and -heap[0][0] >= threshold:
        _, a, b = heapq.heappop(heap)
        # entries naming a merged cluster are stale; live pairs' links never change
        if a not in members or b not in members or not _fits(spans[a], spans[b], window):
            continue
        members[fresh] = members.pop(a) + members.pop(b)
        votes[fresh] = votes.pop(a) + votes.pop(b)
        spans[fresh] = _join(spans.pop(a), spans.pop(b))
        near_a, near_b = links.pop(a, {}), links.pop(b, {})
        for c in sorted((near_a.keys() | near_b.keys()) - {a, b}):
            total = near_a.get(c, 0.0) + near_b.get(c, 0.0)
            links[c].pop(a, None)
            links[c].pop(b, None)
            links[c][fresh] = links[fresh][c] = total
            heapq.heappush(heap, (-total / (votes[fresh] * votes[c]), c, fresh))
        fresh += 1
    return list(members.values())


def _span(profiles: Sequence[Profile], group: Sequence[int]) -> Span:
    times = [t for i in group if (t := profiles[i].fingerprint.published) is not None]
    return (min(times), max(times)) if times else None


def _join(a: Span, b: Span) -> Span:
    if a is None or b is None:
        return a or b
    return min(a[0], b[0]), max(a[1], b[1])


def _fits(a: Span, b: Span, window: timedelta) -> bool:
    joined = _join(a, b)
    return joined is None or joined[1] - joined[0] <= window.total_seconds()


def _story(items: Sequence[Item], indexes: Sequence[int]) -> tuple[tuple[float, float, int], Story]:
    """The story of some items, and its lead's sort key."""
    ranked = sorted(indexes, key=lambda i: _lead_key(items[i], i))
    lead = items[ranked[0]]
    story = Story(id=story_id(lead), lead=lead, others=tuple(items[i] for i in ranked[1:]))
    return _lead_key(lead, ranked[0]), story


def _lead_key(item: Item, position: int) -> tuple[float, float, int]:
    """Highest rule score, then earliest published (undated last), then source order."""
    published = item.article.published
    return -item.score, math.inf if published is None else seconds(published), position


def story_id(lead: Item) -> str:
    """A short id, stable across runs: the same lead gives the same id."""
    key = lead.article.uid or lead.article.url or lead.article.title
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def rank_stories(stories: Sequence[Story], *, now: datetime, max_stories: int,
                 per_source: int | None = 3, half_life: timedelta = HALF_LIFE) -> list[Story]:
    """The stories to post, best first, with at most `per_source` (0 or None: any) per source.

    Priority is the lead's rule score, raised by the number of independent sources and
    lowered with age; ties go to the higher score, the newer story, then the story id.
    """
    return _rank(stories, now, max_stories, per_source, half_life)[0]


def _rank(stories: Sequence[Story], now: datetime, max_stories: int, per_source: int | None,
          half_life: timedelta) -> tuple[list[Story], Counter[str]]:
    """The stories to post, and how many each limit left out ("per_source", "max_stories")."""
    chosen: list[Story] = []
    led: Counter[str] = Counter()
    left_out: Counter[str] = Counter()
    for story in sorted(stories, key=lambda s: _rank_key(s, now, half_life)):
        if len(chosen) >= max_stories:
            left_out["max_stories"] += 1
            continue
        source = _source(story.lead)
        # an item with no source and no feed URL cannot be told apart, so it is not capped
        if not per_source or not source or led[source] < per_source:
            led[source] += 1
            chosen.append(story)
        else:
            left_out["per_source"] += 1
    return chosen, left_out


def not_shown_note(left_out: Mapping[str, int], *, max_stories: int,
                   per_source: int | None) -> str | None:
    """'4 more stories not shown: per-source cap 3', or None when nothing was left out."""
    capped, cut = left_out.get("per_source", 0), left_out.get("max_stories", 0)
    if not capped + cut:
        return None
    head = f"{plural(capped + cut, 'more story', 'more stories')} not shown"
    if capped and cut:
        return f"{head}: {capped} over the per-source cap {per_source}, {cut} past " \
            f"max_stories {max_stories}"
    return f"{head}: per-source cap {per_source}" if capped else \
        f"{head}: max_stories {max_stories}"


def priority(story: Story, *, now: datetime, half_life: timedelta = HALF_LIFE) -> float:
    """Rule score × (1 + log2 of independent sources) × a recency factor between 0.5 and 1."""
    sources = len({_source(item) for item in story.items})
    newest = _newest(story)
    # an undated story is taken as one half-life old: neither fresh nor stale
    age = half_life.total_seconds() if newest is None else max(0.0, seconds(now) - newest)
    recency = 0.5 + 0.5 * math.pow(2.0, -age / half_life.total_seconds())
    return story.lead.score * (1 + math.log2(sources)) * recency


def _rank_key(story: Story, now: datetime, half_life: timedelta) -> tuple[float, float, float, str]:
    newest = _newest(story)
    return (-priority(story, now=now, half_life=half_life), -story.lead.score,
            -newest if newest is not None else math.inf, story.id)


def _newest(story: Story) -> float | None:
    return max((seconds(item.article.published) for item in story.items
                if item.article.published is not None), default=None)


def _source(item: Item) -> str:
    return item.article.source or item.article.feed_url


def build_digest(channel: str, items: Sequence[Item], *, now: datetime, since: datetime | None,
                 until: datetime, max_stories: int = 15, per_source: int | None = 3,
                 sections: str = "rule", posted: Sequence[Article] = (),
                 notes: Sequence[str] = (), rule_names: Mapping[str, str] | None = None,
                 window: timedelta = WINDOW, semantic: bool = True,
                 earlier: Sequence[PostedStory] = ()) -> Digest:
    """One channel's digest: group, drop stories already posted, rank, cut, and section.

    `posted` are the articles this channel has already received: a story any of whose
    items repeats one of them (even from another outlet) is left out. A story that brings
    news about one of the `earlier` stories is kept, marked as its update
    (`monitor.followups`).
    """
    _check(max_stories, per_source, sections)
    stories = group_stories(items, window=window, background=posted, semantic=semantic)
    if posted or earlier:
        stories = Followups(posted, earlier, window=window, semantic=semantic,
                            corpus=[item.article for item in items]).apply(stories)
    ranked, left_out = _rank(stories, now, max_stories, per_source, HALF_LIFE)
    note = not_shown_note(left_out, max_stories=max_stories, per_source=per_source)
    return Digest(channel=channel, generated_at=now, since=since, until=until,
                  sections=_sections(ranked, sections, rule_names or {}),
                  notes=(note, *notes) if note else tuple(notes), not_shown=dict(left_out))


def _check(max_stories: int, per_source: int | None, sections: str) -> None:
    if max_stories < 0:
        raise ConfigError(f"max_stories must be 0 or more, not {max_stories}.")
    if per_source is not None and per_source < 0:
        raise ConfigError(f"per_source must be 0 (no cap) or more, not {per_source}.")
    if sections not in SECTION_MODES:
        choices = ", ".join(f'"{m}"' for m in SECTION_MODES)
        raise ConfigError(f"sections must be one of {choices}, not {sections!r}.")


def _sections(ranked: Sequence[Story], mode: str,
              rule_names: Mapping[str, str]) -> tuple[Section, ...]:
    """One section per rule (or per rule's signal group), in the order of each section's
    best story; or one untitled section. `rule_names` maps rule ids, and "rule#group"
    keys, to readable titles."""
    if mode == "none":
        return (Section(title="", stories=tuple(ranked)),) if ranked else ()
    key = best_group if mode == "group" else best_rule
    by_key: dict[str, list[Story]] = {}
    for story in ranked:
        by_key.setdefault(key(story.lead), []).append(story)
    return tuple(Section(title=rule_names.get(k, k or OTHER), stories=tuple(group))
                 for k, group in by_key.items())


def best_group(item: Item) -> str:
    """"rule#group" for the signal group of the item's best rule with the most hits."""
    rule = best_rule(item)
    match = next((m for m in item.matches if m.rule_id == rule), None)
    groups = Counter(h.group for h in match.hits if h.group >= 0) if match else Counter()
    if not groups:
        return rule
    top = min(groups, key=lambda g: (-groups[g], g))
    return f"{rule}#{top}"


def best_rule(item: Item) -> str:
    """The id of the item's best-scoring rule (ties: the first id), or "" for none."""
    if not item.matches:
        return ""
    return min(item.matches, key=lambda m: (-m.score, m.rule_id)).rule_id
