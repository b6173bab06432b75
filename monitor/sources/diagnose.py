"""When most feeds fail the same way: what they share, and what to check first.

No network, a resolver that answers nothing, a proxy the machine must use, a TLS-
intercepting middlebox: each makes every feed fail with the same sentence, and a list of
sixteen such sentences hides the one thing to fix. Causes are read from the fetcher's
error sentences (`describe_http_error`, the address guard), so the words matched here
are the ones those write.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Cause:
    key: str
    marks: tuple[str, ...]  # any of these (case-insensitive) in an error sentence
    what: str               # "host names do not resolve"
    check: str              # what to check first: "that this machine is online, then ..."


CAUSES = (
    Cause("dns", ("does not resolve", "name or service not known", "temporary failure in name"),
          "host names do not resolve",
          "that this machine is online and can resolve host names (DNS), then whether it "
          "must reach the web through a proxy"),
    Cause("proxy", ("http 407", "proxy"),
          "a proxy refuses the requests",
          "the proxy's address and credentials"),
    Cause("tls", ("certificate", "[ssl", "ssl:", "tlsv", "handshake"),
          "secure connections fail",
          "the system clock and CA certificates, then whether a proxy or firewall "
          "intercepts HTTPS"),
    Cause("unreachable", ("network is unreachable", "no route to host"),
          "the network is unreachable",
          "that this machine is online, then its firewall and proxy settings"),
    Cause("timeout", ("timed out", "stopped answering", "no complete answer"),
          "connections time out",
          "that this machine is online, then whether a firewall drops outgoing "
          "connections or a proxy is needed"),
    Cause("refused", ("could not connect",),
          "connections fail",
          "that this machine is online, then its firewall and proxy settings"),
)


def cause_of(error: str | None) -> Cause | None:
    """The network-level cause an error sentence names, or None (an HTTP status, a bad feed)."""
    text = (error or "").lower()
    return next((c for c in CAUSES if any(mark in text for mark in c.marks)), None)


@dataclass(frozen=True, slots=True)
class Shared:
    """A cause most failing feeds share, and which of `errors` it covers."""

    cause: Cause
    count: int
    covered: tuple[int, ...]  # indexes into the errors given

    def summary(self, total: int) -> str:
        who = f"all {total} feeds" if self.count == total else f"{self.count} of {total} feeds"
        return f"{who} failed the same way: {self.cause.what}"

    def hint(self) -> str:
        return f"What to check first: {self.cause.check}."


def shared_cause(errors: Sequence[str | None], total: int) -> Shared | None:
    """The cause shared by at least 3 feeds and more than half of all `total` feeds."""
    causes = [cause_of(e) for e in errors]
    counts = Counter(c.key for c in causes if c is not None)
    if not counts:
        return None
    key, count = counts.most_common(1)[0]
    if count < 3 or count * 2 <= total:
        return None
    cause = next(c for c in CAUSES if c.key == key)
    return Shared(cause, count, tuple(i for i, c in enumerate(causes) if c is cause))
