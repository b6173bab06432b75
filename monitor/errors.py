"""The exception tree. Every error the CLI reports as one line derives from MonitorError.

    MonitorError
     ├── ConfigError(MonitorError, ValueError)      bad monitor.toml or environment
     ├── RuleError(MonitorError, ValueError)        bad rule file (carries file and line)
     ├── FeedError(MonitorError)                    a feed could not be fetched or parsed
     │    ├── FetchError(FeedError, OSError)        network, HTTP status, size cap, timeout
     │    ├── BlockedURLError(FetchError)           refused by the address guard (SSRF)
     │    └── ParseError(FeedError, ValueError)     the body is not a usable feed
     ├── InputError(MonitorError, ValueError)       a file or URL given on the command line
     ├── StoreError(MonitorError)                   the database cannot be opened or is locked
     ├── DeliveryError(MonitorError)                Slack refused or could not be reached
     ├── SummaryError(MonitorError)                 the LLM summariser failed (falls back)
 └── FactsError(MonitorError)                   the LLM's facts were unusable (rules stand)

Per-feed failures are collected into the run report, not raised past the pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence


class MonitorError(Exception):
    """Root of every error monitor reports as one clear sentence."""


class ConfigError(MonitorError, ValueError):
    """The configuration file or the environment is invalid.

    `problems` holds every problem found, one `file:line: message` each, when a whole
    config was checked; the message then names the first.
    """

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


class RuleError(MonitorError, ValueError):
    """A rule file is invalid; `path` and `line` say where."""

    def __init__(self, message: str, path: str = "", line: int = 0) -> None:
        self.message = message
        self.path = path
        self.line = line
        super().__init__(self.location() + message)

    def location(self) -> str:
        if self.path and self.line:
            return f"{self.path}:{self.line}: "
        if self.path:
            return f"{self.path}: "
        return ""


class FeedError(MonitorError):
    """A feed could not be used."""


class FetchError(FeedError, OSError):
    """A fetch failed: network error, HTTP status, timeout or size cap."""


class BlockedURLError(FetchError):
    """The address guard refused a URL (private, loopback, link-local or not http(s))."""


class ParseError(FeedError, ValueError):
    """The body is not a feed we can use."""


class InputError(MonitorError, ValueError):
    """A file, URL or text given on the command line cannot be used."""


class StoreError(MonitorError):
    """The store cannot be opened, migrated or locked."""


class DeliveryError(MonitorError):
    """A message could not be delivered."""


class SummaryError(MonitorError):
    """A summariser could not produce a summary."""


class FactsError(MonitorError):
    """The LLM's proposed facts could not be used; the rule-based facts stand."""
