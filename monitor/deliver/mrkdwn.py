"""Untrusted feed text as inert, one-line, short enough mrkdwn, measured as Slack counts it."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote, urlsplit

# Slack's limit, counted in UTF-16 code units like all of them, and our own budget inside it.
MAX_URL = 3_000
MAX_LINKED_URL = 2_000  # leaves a section room for the title and summary

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_MENTION = re.compile(r"@(?=(?:channel|here|everyone)\b)", re.IGNORECASE)
# mrkdwn has no escape for its formatting characters, so feed text gets look-alikes instead.
_FORMATTING = str.maketrans({"*": "∗", "_": "ˍ", "~": "∼", "`": "ˋ"})
_URL_UNSAFE = re.compile(r"[|<>\"\s\x00-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s)")


def slack_len(text: str) -> int:
    """Length in UTF-16 code units (an astral character counts twice)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def clean(text: str) -> str:
    """One line of text: whitespace runs collapsed, control characters dropped."""
    return " ".join(_CONTROL.sub(" ", text).split())


def escape(text: str) -> str:
    """Untrusted text as inert mrkdwn: no markup, link, mention or formatting survives."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # a word joiner after "@" keeps "@channel" readable but never a broadcast
    return _MENTION.sub("@\u2060", text).translate(_FORMATTING)


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a sentence or word boundary, marked "…"."""
    if len(text) <= limit:
        return text
    if limit < 2:
        return "…"[:limit]
    head = text[: limit - 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(head[:-1])]
    if ends and ends[-1] >= limit // 2:
        return head[: ends[-1]] + " …"
    space = head.rfind(" ")
    if not text[limit - 1].isspace() and space >= limit // 2:
        head = head[:space]
    return head.rstrip(" ,;:-–—") + "…"


def fit(text: str, limit: int, render: Callable[[str], str] = escape) -> str:
    """`render(text)`, from `text` shortened as little as needed to fit `limit` Slack characters."""
    # rendering never shortens text, so a text longer than the limit needs no trial render
    if len(text) <= limit and slack_len(out := render(text)) <= limit:
        return out
    # rendering lengthens text unevenly (escapes, astral characters): search for the best cut
    low, high, best = 0, min(len(text), limit), "…"[: min(limit, 1)]
    while low <= high:
        middle = (low + high) // 2
        candidate = render(shorten(text, middle))
        if slack_len(candidate) <= limit:
            low, best = middle + 1, candidate
        else:
            high = middle - 1
    return best


def _label(text: str) -> str:
    # a "|" would split <url|label> again; ">" is already escaped
    return escape(text).replace("|", "∣")


def safe_url(url: str, limit: int = MAX_LINKED_URL) -> str | None:
    """`url` ready to sit inside `<url|label>`, or None unless it is a short enough http(s) URL."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or _SURROGATE.search(url):
        return None
    encoded = _URL_UNSAFE.sub(lambda m: quote(m.group(), safe=""), url).replace("&", "&amp;")
    return encoded if slack_len(encoded) <= min(limit, MAX_URL) else None


def link(url: str, label: str, limit: int, url_limit: int = MAX_LINKED_URL) -> str:
    """`<url|label>` with the label shortened to `limit`, or the escaped label alone."""
    target, label = safe_url(url, url_limit), clean(label) or "(untitled)"
    return f"<{target}|{fit(label, limit, _label)}>" if target else fit(label, limit)
