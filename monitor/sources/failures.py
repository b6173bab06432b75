"""One sentence for each way a fetch fails: an HTTP status, or a transport-level error.

Each says what happened and, where it helps, what to do; none spans lines or quotes the
raw bytes a server sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import httpx

_QUOTED = re.compile(r":? (?:bytearray\(|b'|b\")")  # where h11 starts quoting raw bytes


def describe_status(code: int, headers: Mapping[str, str]) -> str:
    """One sentence for an HTTP error status, with what to do about it."""
    reason = httpx.codes.get_reason_phrase(code) or "error"
    if code == 429:
        wait = headers.get("retry-after", "")
        later = f" after {wait} s" if wait.isascii() and wait.isdigit() and len(wait) <= 6 \
            else " later"
        return f"HTTP 429 {reason}: the server is rate-limiting us; it will be retried{later}"
    if code == 404:
        return f"HTTP 404 {reason}: the feed is not at this URL; check it or find its new address"
    if code == 410:
        return f"HTTP 410 {reason}: the publisher removed this feed; remove it from the config"
    if code in (401, 403):
        return f"HTTP {code} {reason}: the server refuses access; the feed may need a login"
    if code >= 500:
        return f"HTTP {code} {reason}: the server failed; it will be retried"
    return f"HTTP {code} {reason}: the server refused the request"


def describe_http_error(exc: httpx.HTTPError) -> str:
    """One sentence for a transport-level failure."""
    if isinstance(exc, httpx.ConnectTimeout):
        return "the connection timed out; the host is slow or unreachable"
    if isinstance(exc, httpx.TimeoutException):
        return "the server stopped answering (read timeout); it will be retried"
    if isinstance(exc, httpx.ConnectError):
        detail = str(exc) or "connection refused"
        if "Name or service not known" in detail or "nodename nor servname" in detail or \
                "getaddrinfo" in detail:
            return "the host name does not resolve (a typo in the URL, or no network)"
        return f"could not connect ({_detail(exc)}); check the URL and that the site is up"
    if isinstance(exc, httpx.RemoteProtocolError):
        detail = _detail(exc)
        if "disconnected" in detail or "closed" in detail:
            return "the server closed the connection before the answer was complete"
        return f"the server broke the HTTP protocol ({detail}); it will be retried"
    if isinstance(exc, httpx.LocalProtocolError):
        return (f"the request could not be sent ({_detail(exc)}); check fetch.user_agent "
                "and the URL")
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return "the connection broke in the middle of the answer; it will be retried"
    if isinstance(exc, httpx.ProxyError):
        return f"the proxy refused the request ({_detail(exc)}); check the proxy settings"
    if isinstance(exc, httpx.DecodingError):
        return "the response could not be decompressed (corrupt gzip or deflate data)"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"the URL is not a valid http(s) address ({_detail(exc)})"
    return f"the request failed ({type(exc).__name__}: {_detail(exc)})"


def _detail(exc: BaseException) -> str:
    """The gist of a library's message: one line, without the bytes it quotes."""
    text = _QUOTED.split(" ".join(str(exc).split()), maxsplit=1)[0].rstrip(": ")
    return (text[:100] + "…" if len(text) > 100 else text) or type(exc).__name__


__all__ = ["describe_http_error", "describe_status"]
