"""A Digest for the terminal or a document: plain text, Markdown, or JSON."""

from __future__ import annotations

import re
from datetime import tzinfo
from typing import Any

from monitor.facts.merge import story_facts
from monitor.facts.render import fact_line, key_figures, totals_line, tracker_note, tracker_title
from monitor.model import Digest, Followup, Item, Story, Tracker
from monitor.report import iso
from monitor.wording import clock, day, plural

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
DEFAULT_TITLE = "AI infrastructure digest"


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def matched_terms(item: Item, limit: int = 6) -> list[str]:
    """The distinct texts the rules matched, as the article wrote them."""
    seen: dict[str, str] = {}
    for hit in (h for m in item.matches for h in m.hits):
        seen.setdefault(hit.text.lower(), hit.text)
    return list(seen.values())[:limit]


def _window(digest: Digest, tz: tzinfo) -> str:
    end = f"{day(digest.until, tz)} {digest.until.astimezone(tz):%H:%M}"
    if digest.since is None:
        return f"up to {end}"
    return f"{clock(digest.since, tz)} to {end}"


def _when(item: Item, tz: tzinfo) -> str:
    published = item.article.published
    return clock(published, tz) if published else "undated"


def _count(digest: Digest) -> str:
    return plural(len(digest.stories), "story", "stories")


def render_markdown(digest: Digest, *, title: str = DEFAULT_TITLE, tz: tzinfo) -> str:
    lines = [f"# {_md(title)} · {day(digest.until, tz)}", "",
             f"{_count(digest)} · {_window(digest, tz)}", ""]
    if not digest.stories:
        lines += ["Nothing new.", ""]
    for section in digest.sections:
        if section.title:
            lines += [f"## {_md(section.title)}", ""]
        for story in section.stories:
            lines += _story_markdown(story, tz)
    lines += [f"> {_md(note)}" for note in digest.notes]
    if digest.tracker is not None:
        lines += ["", *_tracker_markdown(digest.tracker, tz)]
    return "\n".join(lines).rstrip() + "\n"


def update_line(update: Followup, tz: tzinfo, markdown: bool = False) -> str:
    """'update of “Earlier title” (Fri 3 Oct; <permalink>) · new: under construction'."""
    title = _md(update.title) if markdown else update.title
    if markdown and update.url:
        title = f"[{title}]({update.url})"
    post = (f"; [earlier post]({update.permalink})" if markdown else f"; {update.permalink}") \
        if update.permalink else ""
    news = f" · new: {', '.join(update.news)}" if update.news else ""
    return f"update of “{title}” ({day(update.posted_at, tz)}{post}){news}"


def _tracker_markdown(tracker: Tracker, tz: tzinfo) -> list[str]:
    lines = [f"## {_md(tracker_title(tracker, tz))}", ""]
    lines += [f"- {_md(totals_line(t))}" for t in tracker.totals]
    if tracker.largest:
        lines += ["", "Largest:", ""]
    for number, project in enumerate(tracker.largest, 1):
        title = f"[{_md(project.title)}]({project.url})" if project.url else _md(project.title)
        lines.append(f"{number}. {title}: {_md(fact_line(project.facts))}")
    return [*lines, "", f"> {_md(tracker_note(tracker))}"]


def _story_markdown(story: Story, tz: tzinfo) -> list[str]:
    lead = story.lead
    a = lead.article
    head = f"[{_md(a.title)}]({a.url})" if a.url else _md(a.title)
    lines = [f"- **Update: {head}**" if story.update else f"- **{head}**"]
    if story.update:
        lines.append(f"  {update_line(story.update, tz, markdown=True)}")
    figures = key_figures(story_facts(story))
    if figures:
        lines.append(f"  *{_md(figures)}*")
    if lead.summary:
        lines.append(f"  {_md(lead.summary)}")
    meta = [_md(a.source), _when(lead, tz)]
    if story.others:
        also = ", ".join(f"[{_md(o.article.source)}]({o.article.url})" if o.article.url
                         else _md(o.article.source) for o in story.others)
        meta.append(f"also: {also}")
    meta.append("matched: " + ", ".join(_md(t) for t in matched_terms(lead)))
    lines += ["  " + " · ".join(meta), ""]
    return lines


def render_text(digest: Digest, *, title: str = DEFAULT_TITLE, tz: tzinfo) -> str:
    lines = [f"{title} · {day(digest.until, tz)}", f"{_count(digest)} · {_window(digest, tz)}",
             ""]
    if not digest.stories:
        lines.append("Nothing new.")
    for section in digest.sections:
        if section.title:
            lines += [section.title.upper(), ""]
        for story in section.stories:
            a = story.lead.article
            lines.append(f"* Update: {a.title}" if story.update else f"* {a.title}")
            if story.update:
                lines.append(f"  {update_line(story.update, tz)}")
            figures = key_figures(story_facts(story))
            if figures:
                lines.append(f"  [{figures}]")
            if story.lead.summary:
                lines.append(f"  {story.lead.summary}")
            also = ", ".join(o.article.source for o in story.others)
            lines.append(f"  {a.source} · {_when(story.lead, tz)}"
                         + (f" · also: {also}" if also else ""))
            if a.url:
                lines.append(f"  {a.url}")
            lines.append("")
    lines += [f"! {note}" for note in digest.notes]
    if digest.tracker is not None:
        lines += ["", *_tracker_text(digest.tracker, tz)]
    return "\n".join(lines).rstrip() + "\n"


def _tracker_text(tracker: Tracker, tz: tzinfo) -> list[str]:
    lines = [tracker_title(tracker, tz).upper(), ""]
    lines += [f"  {totals_line(t)}" for t in tracker.totals]
    if tracker.largest:
        lines += ["", "  Largest:"]
    for number, project in enumerate(tracker.largest, 1):
        lines.append(f"  {number}. {project.title}")
        lines.append(f"     [{fact_line(project.facts)}]")
        if project.url:
            lines.append(f"     {project.url}")
    return [*lines, "", f"  {tracker_note(tracker)}"]


def to_json(digest: Digest) -> dict[str, Any]:
    def item(i: Item) -> dict[str, Any]:
        a = i.article
        return {"uid": a.uid, "title": a.title, "url": a.url, "source": a.source,
                "published": iso(a.published), "score": i.score, "summary": i.summary or None,
                "terms": matched_terms(i)}

    return {
        "channel": digest.channel, "generated_at": iso(digest.generated_at),
        "since": iso(digest.since), "until": iso(digest.until),
        "sections": [{"title": s.title, "stories": [
            {"id": st.id, **item(st.lead), "also": [item(o) for o in st.others],
             "update": _update_json(st.update), **_story_facts(st)}
            for st in s.stories]} for s in digest.sections],
        "notes": list(digest.notes),
        "not_shown": {"per_source": digest.not_shown.get("per_source", 0),
                      "max_stories": digest.not_shown.get("max_stories", 0)},
        "tracker": tracker_json(digest.tracker) if digest.tracker is not None else None,
    }


def _story_facts(story: Story) -> dict[str, Any]:
    """The story's facts (its articles' merged) and the line the other formats show."""
    facts = story_facts(story)
    return {"facts": facts.to_json(), "figures": key_figures(facts) or None}


def tracker_json(tracker: Tracker) -> dict[str, Any]:
    """The week in figures as data: totals by stage (money per currency), the largest."""
    return {
        "since": iso(tracker.since), "until": iso(tracker.until), "stories": tracker.stories,
        "totals": [{"status": t.status, "projects": t.projects, "sites": t.sites,
                    "power_mw": t.power_mw,
                    "money": [{"amount": m.amount, "currency": m.currency} for m in t.money],
                    "gpus": t.gpus} for t in tracker.totals],
        "largest": [{"title": p.title, "url": p.url, "stories": p.stories,
                     "facts": p.facts.to_json()} for p in tracker.largest],
    }


def _update_json(update: Followup | None) -> dict[str, Any] | None:
    """The earlier story a story follows up (null for a new story)."""
    if update is None:
        return None
    return {"story": update.story, "title": update.title, "url": update.url,
            "posted_at": iso(update.posted_at), "news": list(update.news),
            "permalink": update.permalink or None}
