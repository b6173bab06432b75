"""How counts and dates read, the same in every output: terminal, Markdown, JSON notes, Slack.

Names of days and months are written out here rather than taken from `strftime`, whose
`%a` and `%b` follow the machine's locale.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def plural(count: int, noun: str, many: str = "") -> str:
    """'1 feed', '2 feeds', '1 story', '3 stories' (pass `many` when it is not noun + 's')."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def _local(moment: datetime, tz: tzinfo) -> datetime:
    # the model keeps UTC; a naive value is UTC that lost its label
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(tz)


def day(moment: datetime, tz: tzinfo) -> str:
    """'Fri 4 Dec 2026'."""
    local = _local(moment, tz)
    return f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}"


def short_day(moment: datetime, tz: tzinfo) -> str:
    """'Fri 4 Dec'."""
    local = _local(moment, tz)
    return f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}"


def clock(moment: datetime, tz: tzinfo) -> str:
    """'Fri 4 Dec 09:30'."""
    local = _local(moment, tz)
    return f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local:%H:%M}"
