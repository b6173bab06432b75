"""Render a Digest as Slack Block Kit messages, within Slack's limits by construction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Literal
from urllib.parse import urlsplit

from monitor.deliver.blocks import (
    MAX_BLOCKS,
    MAX_CONTEXT_ELEMENTS,
    MAX_ELEMENT,
    MAX_FIGURES,
    MAX_HEADER,
    MAX_MESSAGE_TEXT,
    MAX_NOTE,
    MAX_SECTION,
    Block,
)
from monitor.deliver.blocks import context as _context
from monitor.deliver.blocks import header as _header
from monitor.deliver.blocks import section as _section
from monitor.deliver.mrkdwn import clean, fit, link, slack_len
from monitor.deliver.slack_tracker import tracker_blocks
from monitor.facts.merge import story_facts
from monitor.facts.render import key_figures
from monitor.model import Digest, Followup, Story
from monitor.wording import clock as _clock
from monitor.wording import day as _day

Mode = Literal["bot", "webhook"]

# Our own budgets, well inside those, so that any single story fits in an empty message.
MAX_TITLE = 300
MAX_SOURCE = 200
MAX_TERMS_TEXT = 500
MAX_TERMS = 8
MAX_FALLBACK = 3_000

DEFAULT_TITLE = "AI infrastructure digest"


@dataclass(frozen=True, slots=True)
class MessagePart:
    """One chat message of a digest; `thread` means "reply in the thread of part 1".

    `stories` are the ids of the stories it carries. An update's reply in the thread of the
    story it follows up has `reply_to` (that message's ts) and `reply_channel` (its channel).
    """

    index: int
    total: int
    text: str
    blocks: tuple[Block, ...]
    thread: bool = False
    stories: tuple[str, ...] = ()
    reply_to: str = ""
    reply_channel: str = ""


# --- blocks ---------------------------------------------------------------------------------


def _aware(moment: datetime) -> datetime:
    # the model keeps UTC; a naive value is UTC that lost its label
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _window(digest: Digest, tz: tzinfo) -> str:
    until = _clock(digest.until, tz)
    zone = _aware(digest.until).astimezone(tz).tzname() or ""
    since = f"{_clock(digest.since, tz)} – " if digest.since else "until "
    return f"{since}{until} {zone}".rstrip()


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _story_blocks(story: Story, tz: tzinfo) -> tuple[Block, ...]:
    lead = story.lead
    title = f"*{link(lead.article.url, clean(lead.article.title) or lead.article.url, MAX_TITLE)}*"
    title = f"*Update:* {title}" if story.update else title
    figures = clean(key_figures(story_facts(story)))
    if figures:  # formatting characters in it are escaped, so the italics stay whole
        title += f"\n_{fit(figures, MAX_FIGURES)}_"
    summary = clean(lead.summary or lead.article.summary)
    room = MAX_SECTION - slack_len(title) - 1
    text = f"{title}\n{fit(summary, room)}" if summary and room > 1 else title
    context = [_context(elements)] if any(elements := _story_context(story, tz)) else []
    return (_section(text), *context)


def _story_context(story: Story, tz: tzinfo) -> list[str]:
    article = story.lead.article
    when = _clock(article.published, tz) if article.published else ""
    terms = _terms(story)
    matched = fit("matched: " + ", ".join(terms), MAX_TERMS_TEXT) if terms else ""
    return [fit(_source_name(article.source, article.url), MAX_SOURCE), when, _also(story), matched,
            _update_note(story.update, tz) if story.update else ""]


def _update_note(update: Followup, tz: tzinfo) -> str:
    """'update of “Earlier title” (Fri 3 Oct, earlier post) · new: under construction'."""
    title = f"“{link(update.url, clean(update.title) or update.url, MAX_TITLE)}”"
    post = f", {link(update.permalink, 'earlier post', 50)}" if update.permalink else ""
    news = f" · new: {clean(', '.join(update.news))}" if update.news else ""
    return fit(f"update of {title} ({_day(update.posted_at, tz)}{post}){news}", MAX_ELEMENT,
               str)


def _terms(story: Story) -> list[str]:
    # the text as the article wrote it ("AI gigafactories"), once whatever its case
    seen: dict[str, str] = {}
    for hit in (hit for match in story.lead.matches for hit in match.hits):
        seen.setdefault(hit.text.casefold(), clean(hit.text))
    return [term for term in seen.values() if term][:MAX_TERMS]


def _source_name(source: str, url: str) -> str:
    try:
        return clean(source) or urlsplit(url).hostname or "unknown source"
    except ValueError:
        return "unknown source"


def _also(story: Story) -> str:
    """'also: <url|Source>, …' for the other outlets, as many as fit in one context element."""
    lead = _source_name(story.lead.article.source, story.lead.article.url)
    others: dict[str, str] = {}
    for item in story.others:
        others.setdefault(_source_name(item.article.source, item.article.url), item.article.url)
    others.pop(lead, None)
    links = [link(url, name, MAX_SOURCE, url_limit=1_000) for name, url in others.items()]
    shown = 0
    # each link is at most ~1,200 characters, so at least one always fits in an element
    while shown < len(links) and slack_len(", ".join(links[: shown + 1])) + 30 <= MAX_ELEMENT:
        shown += 1
    more = f" and {len(links) - shown} more" if shown < len(links) else ""
    return f"also: {', '.join(links[:shown])}{more}" if links else ""


def _heading(title: str, continued: bool) -> list[Block]:
    more = " (continued)" if continued else ""
    return [{"type": "divider"}, _section(f"*{fit(title, MAX_HEADER)}*{more}")]


# --- packing --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Unit:
    """Blocks that must stay in one message, under an optional section heading."""

    blocks: tuple[Block, ...]
    line: str = ""  # for the plain-text fallback
    section: int = -1
    first: bool = True  # the first story of its section
    story: str = ""


def _units(digest: Digest, tz: tzinfo) -> list[_Unit]:
    units: list[_Unit] = []
    for number, section in enumerate(digest.sections):
        for position, story in enumerate(section.stories):
            line = fit(clean(story.lead.article.title) or story.lead.article.url, MAX_TITLE)
            line = f"Update: {line}" if story.update else line
            units.append(_Unit(_story_blocks(story, tz), f"• {line}", number, position == 0,
                               story.id))
    notes = [fit(clean(note), MAX_NOTE) for note in digest.notes if clean(note)]
    for start in range(0, len(notes), MAX_CONTEXT_ELEMENTS):
        units.append(_Unit((_context(notes[start : start + MAX_CONTEXT_ELEMENTS]),)))
    if digest.tracker is not None:
        units.append(_Unit(*tracker_blocks(digest.tracker, tz)))
    return units


def _fits(blocks: Sequence[Block]) -> bool:
    texts = [t for b in blocks for t in ([b["text"]] if "text" in b else b.get("elements", []))]
    return (
        len(blocks) <= MAX_BLOCKS and sum(slack_len(t["text"]) for t in texts) <= MAX_MESSAGE_TEXT
    )


def _pack(
    units: list[_Unit], titles: Sequence[str], first: list[Block], follow: list[Block]
) -> list[tuple[list[Block], list[str], list[str]]]:
    """Greedy: fill each message (blocks, fallback lines, story ids) with whole units after
    its opening."""
    bodies: list[tuple[list[Block], list[str], list[str]]] = [([], [], [])]
    shown = -1  # the section whose heading the current message already carries
    for unit in units:
        for fresh in (False, True):
            if fresh:
                bodies.append(([], [], []))
                shown = -1
            title = clean(titles[unit.section]) if unit.section not in (-1, shown) else ""
            extra = _heading(title, not unit.first) if title else []
            opening = first if len(bodies) == 1 else follow
            if fresh or _fits(opening + bodies[-1][0] + extra + list(unit.blocks)):
                break
        bodies[-1][0].extend(extra + list(unit.blocks))
        heading = [fit(title, MAX_HEADER) + ":"] if title else []
        bodies[-1][1].extend(heading + ([unit.line] if unit.line else []))
        bodies[-1][2].extend([unit.story] if unit.story else [])
        shown = unit.section
    return bodies


# --- the digest -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Frame:
    """The opening lines every message of one digest is built from."""

    line: str  # "Title · Thu 26 Nov 2026" as mrkdwn
    header: str  # the same as plain text
    summary: str  # "3 stories · 5 sources", or "nothing new (window)"
    window: str
    empty: bool

    def opening(self, index: int, counter: str) -> list[Block]:
        if index > 1:
            # bot mode threads follow-ups under part 1, so only numbered parts need a label
            return [_context([f"{self.line} {counter}"])] if counter else []
        if self.empty:
            return [_section(f"*{self.line}*: {self.summary} {counter}".rstrip())]
        return [_header(self.header), _context([self.summary, self.window, counter])]

    def text(self, index: int, counter: str, lines: Sequence[str]) -> str:
        """The plain-text `text` of a message, for notifications and screen readers."""
        text = f"{self.line}: {self.summary}" if index == 1 else self.line
        text = f"{text} {counter or ('(continued)' if index > 1 else '')}".rstrip()
        for shown, line in enumerate(lines):
            rest = f"\n… and {len(lines) - shown} more"
            if slack_len(f"{text}\n{line}{rest}") > MAX_FALLBACK:
                return text + rest
            text += "\n" + line
        return text


def _frame(digest: Digest, title: str, tz: tzinfo) -> _Frame:
    day, window = _day(digest.until, tz), _window(digest, tz)
    name = clean(title) or DEFAULT_TITLE
    count = len(digest.stories)
    sources = len({source for story in digest.stories for source in story.sources})
    summary = f"{_plural(count, 'story', 'stories')} · {_plural(sources, 'source', 'sources')}"
    return _Frame(
        line=f"{fit(name, MAX_HEADER - len(day) - 3)} · {day}",
        header=f"{fit(name, MAX_HEADER - len(day) - 3, str)} · {day}",
        summary=summary if count else f"nothing new ({window})",
        window=window,
        empty=not count,
    )


def render_digest(
    digest: Digest, *, mode: Mode, title: str = DEFAULT_TITLE, tz: tzinfo = UTC
) -> list[MessagePart]:
    """The digest as messages: part 1 in the channel, the rest threaded (bot) or numbered."""
    numbered = mode == "webhook"
    frame = _frame(digest, title, tz)
    units = _units(digest, tz)
    widest = f"({len(units) + 1}/{len(units) + 1})" if numbered else ""  # parts <= units + 1
    titles = [section.title for section in digest.sections]
    bodies = _pack(units, titles, frame.opening(1, widest), frame.opening(2, widest))
    parts = []
    for index, (body, lines, stories) in enumerate(bodies, start=1):
        counter = f"({index}/{len(bodies)})" if numbered and len(bodies) > 1 else ""
        blocks = tuple(frame.opening(index, counter) + body)
        text = frame.text(index, counter, lines)
        parts.append(MessagePart(index, len(bodies), text, blocks, not numbered and index > 1,
                                 tuple(stories)))
    return parts + (_replies(digest, len(parts), tz) if mode == "bot" else [])


def _replies(digest: Digest, after: int, tz: tzinfo) -> list[MessagePart]:
    """Each update, once more as a reply in the thread of the message that carried the story
    it follows up (when that message is known: a bot posted it)."""
    replies: list[MessagePart] = []
    for story in digest.stories:
        update = story.update
        if update is None or not update.ts or not update.channel_id:
            continue
        blocks = _story_blocks(story, tz)  # marked "Update:", with what is new
        text = f"Update: {clean(story.lead.article.title) or story.lead.article.url}"
        replies.append(MessagePart(after + len(replies) + 1, after, fit(text, MAX_FALLBACK, str),
                                   blocks, stories=(story.id,), reply_to=update.ts,
                                   reply_channel=update.channel_id))
    return replies
