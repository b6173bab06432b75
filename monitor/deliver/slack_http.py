"""What the Slack senders and readers share: the HTTP clients and their retry policy,
and the key each part carries in its message metadata."""

from __future__ import annotations

import logging
import random
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.http_retry import (
    BackoffRetryIntervalCalculator,
    ConnectionErrorRetryHandler,
    HttpRequest,
    HttpResponse,
    Jitter,
    RateLimitErrorRetryHandler,
    RetryHandler,
    RetryState,
)
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler

DEFAULT_API_URL = "https://slack.com/api/"
EVENT_TYPE = "monitor_digest_part"  # the message metadata every part carries

# slack_sdk logs request URLs at INFO and DEBUG (a webhook URL is itself a secret) and every
# failed request at ERROR; our own errors say all of it in one sentence, so it stays quiet.
LOG = logging.getLogger("monitor.deliver.slack_sdk")
LOG.disabled = True


@dataclass(frozen=True, slots=True)
class PartKey:
    """What identifies one part in the channel: its digest and a key unique to this store."""

    digest_id: int
    key: str

    def metadata(self) -> dict[str, Any]:
        return {"event_type": EVENT_TYPE,
                "event_payload": {"digest_id": self.digest_id, "part_key": self.key}}

    def matches(self, message: Mapping[str, Any]) -> bool:
        found = message.get("metadata") or {}
        payload = found.get("event_payload") or {}
        return found.get("event_type") == EVENT_TYPE and payload.get("part_key") == self.key


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try: retries of reads (and of short 429 waits), and a timeout."""

    retries: int = 3
    backoff: float = 0.5  # seconds before the first retry of a read, doubled (with jitter)
    timeout: int = 20  # seconds per request; a claim's lease outlasts a post by far
    longest_wait: float = 5.0  # a longer Retry-After is not waited out in place


DEFAULT_POLICY = RetryPolicy()


class _ServerErrorRetry(ServerErrorRetryHandler):
    """Also retries 502 and 504, which proxies in front of Slack answer too."""

    def _can_retry(self, *, state: RetryState, request: HttpRequest,
                   response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        return response is not None and response.status_code in (500, 502, 503, 504)


class _ShortRateLimitRetry(RateLimitErrorRetryHandler):
    """Waits out a 429 only when Slack asks for a short wait, so one busy channel does not
    hold up the others; a 429 means nothing was posted, so trying again is safe."""

    def __init__(self, max_retry_count: int, longest: float) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.longest = longest

    def _can_retry(self, *, state: RetryState, request: HttpRequest,
                   response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = retry_after({k: v[0] if isinstance(v, list) else v
                            for k, v in response.headers.items()})
        return wait is not None and wait <= self.longest


class _ProportionalJitter(Jitter):
    """Waits between 1x and 2x the backoff; slack_sdk's default adds up to a whole second."""

    def recalculate(self, duration: float) -> float:
        return duration * (1 + random.random())


def post_handlers(policy: RetryPolicy) -> list[RetryHandler]:
    """For posts: short 429 waits only (no retry after a drop, a timeout or a 5xx)."""
    return [_ShortRateLimitRetry(policy.retries, policy.longest_wait)]


def read_handlers(policy: RetryPolicy) -> list[RetryHandler]:
    """For reads, which are safe to repeat: short 429 waits, 5xx and dropped connections."""
    backoff = BackoffRetryIntervalCalculator(policy.backoff, jitter=_ProportionalJitter())
    return [
        _ShortRateLimitRetry(policy.retries, policy.longest_wait),
        _ServerErrorRetry(max_retry_count=policy.retries, interval_calculator=backoff),
        ConnectionErrorRetryHandler(max_retry_count=policy.retries, interval_calculator=backoff),
    ]


def web_client(token: str, base_url: str, policy: RetryPolicy,
               handlers: list[RetryHandler], proxy: str | None = None) -> WebClient:
    """A Web API client; an empty `handlers` list means no retries at all.

    `proxy` is the caller's decision (curl's rules, sources/proxy.py), None for none:
    slack_sdk would otherwise take HTTPS_PROXY even for a host that NO_PROXY names.
    """
    client = WebClient(token=token, base_url=base_url, timeout=policy.timeout, logger=LOG,
                       retry_handlers=handlers, proxy=proxy)
    client.proxy = proxy
    return client


def retry_after(headers: Mapping[str, Any]) -> float | None:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return max(float(value), 0.0)
            except (TypeError, ValueError):
                return None
    return None


def scopes_of(headers: Mapping[str, Any]) -> frozenset[str] | None:
    """The token's scopes from Slack's `x-oauth-scopes` header; None when absent."""
    for name, value in headers.items():
        if name.lower() == "x-oauth-scopes":
            return frozenset(s.strip() for s in str(value).split(",") if s.strip())
    return None


def never_sent(err: BaseException) -> bool:
    """True when the request cannot have reached Slack (refused, no such host)."""
    reason = err.reason if isinstance(err, URLError) else err
    return isinstance(reason, ConnectionRefusedError | socket.gaierror)


def reason_of(err: BaseException) -> str:
    reason = err.reason if isinstance(err, URLError) else err
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or reason.__class__.__name__
