"""What the commands share: the context object, the clock, consoles, and the store."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import click
from rich.console import Console

from monitor.config import Config, load_config, parse_duration
from monitor.store import Store


@dataclass(slots=True)
class Context:
    verbose: bool = False


def now() -> datetime:
    """The clock, read at the edge and passed inward."""
    return datetime.now(UTC)


def config_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option("--config", "config_path", metavar="PATH",
                        help="monitor.toml to use (default: $MONITOR_CONFIG, ./monitor.toml).")(f)


def get_config(path: str | None) -> Config:
    return load_config(path)


def open_store(config: Config) -> Store:
    return Store(config.database)


def since_option(value: str | None) -> timedelta | None:
    """'all' (or nothing) means no limit; else a duration like 24h or 7d."""
    if value is None or value.strip().lower() == "all":
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(f"{exc}, or 'all'", param_hint="--since") from None


def stdout_console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False)


def is_terminal() -> bool:
    return sys.stderr.isatty()
