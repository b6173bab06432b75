"""Block Kit's pieces as plain dicts, and Slack's limits on them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Block = dict[str, Any]

# Slack's limits, counted in UTF-16 code units: never fewer than Slack counts, whatever it uses.
MAX_BLOCKS = 50
MAX_MESSAGE_TEXT = 12_000
MAX_HEADER = 150
MAX_SECTION = 3_000
MAX_CONTEXT_ELEMENTS = 10
MAX_ELEMENT = 2_000
# Our own budgets, well inside those.
MAX_NOTE = 500
MAX_FIGURES = 300  # a story's key-figures line, and each line of the week in figures


def mrkdwn(text: str) -> Block:
    # verbatim: Slack must not auto-link bare URLs or #channel names found in feed text
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(text)}


def context(texts: Iterable[str]) -> Block:
    return {"type": "context", "elements": [mrkdwn(t) for t in texts if t]}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}
