"""What the commands share: the context object, the clock, the config, consoles and tables.

Light on purpose (click and the standard library): every command module imports it,
and `monitor --help` imports every command module. The store, the config loader and
rich are imported when a command asks for them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from monitor.wording import plural as plural  # every count a command prints

if TYPE_CHECKING:
    from rich.console import Console

    from monitor.config import Config
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


def _feed_locations(_ctx: click.Context, param: click.Parameter,
                    values: tuple[str, ...]) -> tuple[str, ...]:
    from monitor.sources.location import location_problem

    for value in values:
        problem = location_problem(value)
        if problem:
            raise click.BadParameter(problem, param=param)
    return values


def feed_option(help_text: str) -> Callable[[click.decorators.FC], click.decorators.FC]:
    """--feed URL|PATH (repeatable): http(s) URLs and files that exist; else a usage error."""
    return click.option("--feed", "feed_urls", multiple=True, metavar="URL|PATH",
                        help=help_text, callback=_feed_locations)


def get_config(path: str | None) -> Config:
    """The config, checked whole: every problem is reported before the command works."""
    from monitor.config import load_config

    return load_config(path)


def open_store(config: Config) -> Store:
    from monitor.store import Store

    return Store(config.database)


def store_exists(database: str) -> bool:
    """False only for a SQLite file that is not there yet (a server database is assumed)."""
    from sqlalchemy.engine import make_url

    url = make_url(database)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return True
    return Path(url.database).exists()


def since_option(value: str | None) -> timedelta | None:
    """'all' (or nothing) means no limit; else a duration like 24h or 7d."""
    from monitor.config_check import parse_duration

    if value is None or value.strip().lower() == "all":
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(f"{exc}, or 'all'", param_hint="--since") from None


def stdout_console() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def is_terminal() -> bool:
    return sys.stderr.isatty()


def print_table(columns: Sequence[str], rows: Sequence[Sequence[str]], *, title: str = "",
                styles: Sequence[str] = ()) -> None:
    """A table: drawn by rich on a terminal; plain tab-separated rows (a header first)
    when piped, so scripts get every cell whole, never clipped or wrapped."""
    if not sys.stdout.isatty():
        if title:
            click.echo(f"# {title}")
        for row in (columns, *rows):
            click.echo("\t".join(" ".join(str(cell).split()) for cell in row))
        return
    from rich.table import Table

    table = Table(title=title or None, show_edge=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for index, row in enumerate(rows):
        table.add_row(*row, style=styles[index] if index < len(styles) else None)
    stdout_console().print(table)
