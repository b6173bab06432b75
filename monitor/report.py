"""A scan report as JSON (the stable contract), Markdown, or text for a terminal."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.text import Text

from monitor.model import FIELDS, FeedReport, Hit, Item, PollReport
from monitor.sources.diagnose import shared_cause
from monitor.wording import plural

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def iso(value: datetime | None) -> str | None:
    """UTC timestamp as 2026-11-26T09:00:00Z."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_json(report: PollReport) -> dict[str, Any]:
    """The scan JSON document exactly as DESIGN.md gives it."""
    return {
        "generated_at": iso(report.generated_at),
        "feeds": [
            {"url": f.url, "status": f.status, "items": f.items, "new": f.new,
             "error": f.error, "elapsed_ms": f.elapsed_ms}
            for f in report.feeds
        ],
        "matches": [_item_json(item, report) | {"facts": _facts(item)} for item in report.items],
    }


def _item_json(item: Item, report: PollReport) -> dict[str, Any]:
    a = item.article
    return {
        "uid": a.uid, "url": a.url, "title": a.title, "source": a.source,
        "published": iso(a.published),
        "rules": [
            {"id": m.rule_id, "score": m.score,
             "hits": [{"term": h.term, "field": h.field, "text": h.text} for h in m.hits]}
            for m in item.matches
        ],
        "summary": item.summary or None,
        "story": report.stories.get(a.uid),
    }


def _facts(item: Item) -> dict[str, Any]:
    """Rule-based, so a scan stays offline and fast; `monitor facts` may add the LLM's."""
    if item.facts is not None:  # read where the match was stored
        return item.facts.to_json()
    # imported here: only the JSON report reads facts
    from monitor.facts.extract import article_facts

    return article_facts(item.article).to_json()


def render_json(report: PollReport) -> str:
    return json.dumps(to_json(report), ensure_ascii=False, indent=2)


def feed_summary(feeds: Sequence[FeedReport]) -> str:
    """'16 feeds: 12 ok, 2 not modified, 2 failed'."""
    counts = Counter(f.status for f in feeds)
    parts = [f"{counts['ok']} ok"]
    if counts["not_modified"]:
        parts.append(f"{counts['not_modified']} not modified")
    parts.append(f"{counts['error']} failed")
    return f"{plural(len(feeds), 'feed')}: " + ", ".join(parts)


def feed_name(feed: FeedReport) -> str:
    return f"{feed.name} ({feed.url})" if feed.name and feed.name != feed.url else feed.url


def problem_lines(feeds: Sequence[FeedReport], *, listed_elsewhere: bool = False
                  ) -> list[tuple[str, str]]:
    """("failed" | "warning" | "hint", text) lines for the feeds that had a problem.

    When most feeds failed the same way (no network, say), one line says so and one
    says what to check first, instead of a line per feed; the others are listed, unless
    `listed_elsewhere` (a table beside these lines shows every feed's error).
    """
    failed = [f for f in feeds if f.status == "error"]
    shared = shared_cause([f.error for f in failed], len(feeds))
    covered = set(shared.covered) if shared else set()
    lines = [("failed", shared.summary(len(feeds))), ("hint", shared.hint())] if shared else []
    lines += [("failed", f"{feed_name(f)}: {f.error}") for i, f in enumerate(failed)
              if i not in covered and not listed_elsewhere]
    lines += [("warning", f"{feed_name(f)}: {f.warning}") for f in feeds
              if f.status != "error" and f.warning]
    if shared and not listed_elsewhere:
        lines.append(("hint", "`monitor feeds check` lists each feed with its error."))
    return lines


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def _terms(item: Item) -> list[tuple[str, str]]:
    """Distinct (matched text, field) pairs of an item, title first."""
    seen: dict[str, tuple[str, str]] = {}
    for hit in sorted((h for m in item.matches for h in m.hits),
                      key=lambda h: FIELDS.index(h.field)):
        seen.setdefault(hit.text.lower(), (hit.text, hit.field))
    return list(seen.values())


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "undated"


def render_markdown(report: PollReport, title: str = "AI infrastructure scan") -> str:
    lines = [f"# {title} · {_when(report.generated_at)}", "",
             f"**{plural(len(report.items), 'match', 'matches')}** · "
             f"{feed_summary(report.feeds)}", ""]
    for number, item in enumerate(report.items, 1):
        a = item.article
        link = f"[{_md(a.title)}]({a.url})" if a.url else _md(a.title)
        rules = ", ".join(f"{m.rule_id} {m.score:g}" for m in item.matches)
        lines.append(f"{number}. **{link}**  ")
        lines.append(f"   {_md(a.source)} · {_when(a.published)} · score {rules}  ")
        terms = ", ".join(f"**{_md(t)}** ({f})" for t, f in _terms(item))
        lines.append(f"   Matched: {terms}")
        if item.summary:
            lines.append(f"   > {_md(item.summary)}")
        lines.append("")
    problems = problem_lines(report.feeds)
    if problems:
        lines += ["## Feed problems", ""]
        lines += [f"- {kind}: {_md(text)}" if kind != "hint" else f"- {_md(text)}"
                  for kind, text in problems]
        lines.append("")
    return "\n".join(lines)


def highlighted(text: str, hits: Sequence[Hit], style: str = "bold yellow") -> Text:
    """`text` as rich Text with each hit's span styled (hits of that field only)."""
    out = Text(text)
    for hit in hits:
        if 0 <= hit.start < hit.end <= len(text) and text[hit.start:hit.end] == hit.text:
            out.stylize(style, hit.start, hit.end)
    return out


def print_text(report: PollReport, console: Console) -> None:
    """A readable list for a terminal: title with hits highlighted, source, date, score."""
    if not report.items:
        console.print("No matching articles.", style="dim")
    for number, item in enumerate(report.items, 1):
        a = item.article
        title_hits = [h for m in item.matches for h in m.hits if h.field == "title"]
        line = Text(f"{number:>3}. ", style="dim")
        line.append(f"{item.score:>5g}  ", style="bold cyan")
        line.append_text(highlighted(a.title, title_hits))
        console.print(line)
        rules = ", ".join(m.rule_id for m in item.matches)
        console.print(f"        {a.source} · {_when(a.published)} · {rules}",
                      style="dim", markup=False, highlight=False)
        terms = Text("        matched: ", style="dim")
        for index, (term, field) in enumerate(_terms(item)):
            terms.append(", " if index else "")
            terms.append(term, style="yellow")
            terms.append(f" ({field})", style="dim")
        console.print(terms)
        if item.summary:
            console.print(Text("        " + item.summary), style="italic")
        if a.url:
            console.print(Text(f"        {a.url}", style="blue"))
    _print_footer(report, console)


def _print_footer(report: PollReport, console: Console) -> None:
    console.print()
    count = plural(len(report.items), "matching article")
    console.print(Text(f"{count} · {feed_summary(report.feeds)}", style="bold"))
    print_problems(report.feeds, console)


def print_problems(feeds: Sequence[FeedReport], console: Console, *,
                   listed_elsewhere: bool = False) -> None:
    """The problem lines, coloured; `listed_elsewhere`: a table already shows each error."""
    styles = {"failed": "red", "warning": "yellow", "hint": ""}
    for kind, text in problem_lines(feeds, listed_elsewhere=listed_elsewhere):
        label = "" if kind == "hint" else f"{kind}: "
        console.print(Text(f"  {label}{text}", style=styles[kind]))
