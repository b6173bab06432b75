"""The one-sentence descriptions of failed fetches."""

from __future__ import annotations

import httpx
import pytest

from monitor.sources.failures import describe_http_error, describe_status


@pytest.mark.parametrize(("exc", "sentence"), [
    (httpx.RemoteProtocolError("illegal status line: bytearray(b'SPDY/3 200 \\xff')"),
     "the server broke the HTTP protocol (illegal status line); it will be retried"),
    (httpx.RemoteProtocolError("Server disconnected without sending a response."),
     "the server closed the connection before the answer was complete"),
    (httpx.LocalProtocolError("Illegal header value b'a\\r\\nb'"),
     "the request could not be sent (Illegal header value); check fetch.user_agent and the URL"),
    (httpx.ReadTimeout("timed out"), "the server stopped answering (read timeout); it will be "
                                     "retried"),
    (httpx.ConnectError("[Errno -2] Name or service not known"),
     "the host name does not resolve (a typo in the URL, or no network)"),
    (httpx.ProxyError("403 Forbidden"),
     "the proxy refused the request (403 Forbidden); check the proxy settings"),
    (httpx.ReadError(""), "the connection broke in the middle of the answer; it will be retried"),
])
def test_transport_errors(exc: httpx.HTTPError, sentence: str) -> None:
    assert describe_http_error(exc) == sentence


def test_a_long_detail_is_cut_and_kept_on_one_line() -> None:
    text = describe_http_error(httpx.RemoteProtocolError("bad\n" + "x" * 500))
    assert "\n" not in text and len(text) < 170 and "…" in text


@pytest.mark.parametrize(("retry_after", "tail"), [
    ("120", "retried after 120 s"), ("9" * 30, "retried later"), ("²", "retried later"),
    ("Wed, 25 Nov 2026 10:00:00 GMT", "retried later"),
])
def test_429_says_when(retry_after: str, tail: str) -> None:
    assert describe_status(429, {"retry-after": retry_after}).endswith(tail)
