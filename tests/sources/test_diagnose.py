"""Most feeds failing the same way become one line and what to check first."""

from __future__ import annotations

import httpx

from monitor.sources.diagnose import cause_of, shared_cause
from monitor.sources.fetch import describe_http_error

# the sentences the fetcher writes for these failures, not copies of them
DNS = describe_http_error(httpx.ConnectError("[Errno -2] Name or service not known"))
REFUSED = describe_http_error(httpx.ConnectError("[Errno 111] Connection refused"))
TIMEOUT = describe_http_error(httpx.ConnectTimeout("timed out"))
TLS = describe_http_error(httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate "
                                             "verify failed: self-signed certificate"))
HTTP_503 = "HTTP 503 Service Unavailable: the server failed; it will be retried"


def test_causes_are_read_from_the_fetchers_sentences() -> None:
    assert [cause_of(e).key if cause_of(e) else None
            for e in (DNS, REFUSED, TIMEOUT, TLS, HTTP_503, None)] == \
        ["dns", "refused", "timeout", "tls", None, None]


def test_every_feed_failing_on_dns_is_one_cause_with_a_hint() -> None:
    shared = shared_cause([f"www.site{k}.example: {DNS}" for k in range(16)], 16)
    assert shared is not None and shared.count == 16 and shared.covered == tuple(range(16))
    assert shared.summary(16) == "all 16 feeds failed the same way: host names do not resolve"
    assert shared.hint().startswith("What to check first: that this machine is online and "
                                    "can resolve host names (DNS)")


def test_most_is_more_than_half_and_at_least_three() -> None:
    errors = [DNS] * 5 + [HTTP_503, TLS]
    shared = shared_cause(errors, 8)
    assert shared is not None and shared.covered == (0, 1, 2, 3, 4)
    assert shared.summary(8).startswith("5 of 8 feeds failed the same way")
    assert shared_cause([DNS] * 4, 8) is None   # half is not most
    assert shared_cause([DNS] * 2, 2) is None   # two lines are short enough
    assert shared_cause([HTTP_503] * 5, 5) is None  # a server's answer, not the network
