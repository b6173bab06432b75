"""Slack's Block Kit limits as the loopback fake Slack enforces them."""

from __future__ import annotations

import re
from typing import Any

# Slack's documented Block Kit limits, in UTF-16 code units (Slack's own unit is unknown;
# this one is never smaller than a count of code points).
MAX_BLOCKS = 50
MAX_MESSAGE_TEXT = 12_000
MAX_HEADER = 150
MAX_TEXT = 3_000
MAX_CONTEXT_ELEMENTS = 10
MAX_ELEMENT = 2_000
MAX_URL = 3_000
_LINK = re.compile(r"<([^|>]*)(?:\|[^>]*)?>")


def slack_len(text: str) -> int:
    """Length in UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _text_errors(obj: Any, limit: int, plain_only: bool = False) -> tuple[str | None, int]:
    """(error, length) of one text object."""
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        return "invalid_blocks", 0
    if plain_only and obj["type"] != "plain_text":
        return "invalid_blocks", 0
    text = obj.get("text")
    if not isinstance(text, str) or not text or slack_len(text) > limit:
        return "invalid_blocks", 0
    if any(slack_len(url) > MAX_URL for url in _LINK.findall(text)):
        return "invalid_blocks", 0
    return None, slack_len(text)


def _block_errors(block: Any) -> tuple[str | None, int]:
    if not isinstance(block, dict):
        return "invalid_blocks", 0
    kind = block.get("type")
    if kind == "divider":
        return None, 0
    if kind == "header":
        return _text_errors(block.get("text"), MAX_HEADER, plain_only=True)
    if kind == "section":
        return _text_errors(block.get("text"), MAX_TEXT)
    if kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= MAX_CONTEXT_ELEMENTS:
            return "invalid_blocks", 0
        results = [_text_errors(e, MAX_ELEMENT) for e in elements]
        error = next((e for e, _ in results if e), None)
        return error, sum(n for _, n in results)
    return "invalid_blocks", 0


def block_errors(blocks: Any) -> str | None:
    """Slack's error code for these blocks (`invalid_blocks`, `msg_blocks_too_long`), or None."""
    if blocks is None:
        return None
    if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS:
        return "invalid_blocks"
    total = 0
    for block in blocks:
        error, size = _block_errors(block)
        if error:
            return error
        total += size
    return "msg_blocks_too_long" if total > MAX_MESSAGE_TEXT else None
