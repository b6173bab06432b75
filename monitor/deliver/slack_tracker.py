"""The week in figures as Block Kit: the end of a tracker day's digest, within Slack's limits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from monitor.deliver.blocks import (
    MAX_FIGURES,
    MAX_HEADER,
    MAX_NOTE,
    MAX_SECTION,
    Block,
    context,
    section,
)
from monitor.deliver.mrkdwn import clean, fit, link, slack_len
from monitor.facts.render import (
    fact_line,
    stage,
    totals_figures,
    totals_line,
    tracker_note,
    tracker_title,
)
from monitor.model import Tracker

MAX_LARGEST_TITLE = 150


def tracker_blocks(tracker: Tracker, tz: tzinfo) -> tuple[tuple[Block, ...], str]:
    """The blocks (totals by stage, then the largest projects) and a fallback text line.

    At most 6 stages and 5 projects, each line capped, so they fit an empty message.
    """
    title = tracker_title(tracker, tz)
    blocks: list[Block] = [{"type": "divider"}, section(f"*{fit(title, MAX_HEADER)}*")]
    totals = [f"*{stage(t)}*: {fit(totals_figures(t), MAX_FIGURES)}" for t in tracker.totals]
    if totals:
        blocks.append(section("\n".join(totals)))
    largest = [_largest_line(number, project.title, project.url, fact_line(project.facts))
               for number, project in enumerate(tracker.largest, 1)]
    if largest:
        blocks += _sections(["*Largest*", *largest])
    blocks.append(context([fit(tracker_note(tracker), MAX_NOTE)]))
    line = f"• {fit(title, MAX_HEADER, str)}" + \
        (f": {fit(totals_line(tracker.totals[0]), MAX_FIGURES, str)}" if tracker.totals else "")
    return tuple(blocks), line


def _largest_line(number: int, title: str, url: str, figures: str) -> str:
    label = link(url, clean(title) or url, MAX_LARGEST_TITLE, url_limit=1_000)
    return f"{number}. {label}: {fit(clean(figures), MAX_FIGURES)}"


def _sections(lines: Sequence[str]) -> list[Block]:
    """Lines in as few section blocks as hold them (each line is far below a section's limit)."""
    texts: list[str] = []
    for line in lines:
        if texts and slack_len(f"{texts[-1]}\n{line}") <= MAX_SECTION:
            texts[-1] += f"\n{line}"
        else:
            texts.append(line)
    return [section(text) for text in texts]
