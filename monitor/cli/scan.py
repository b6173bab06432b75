"""`monitor scan`: one pass over the feeds, matches printed (and stored)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from monitor.cli.common import (
    config_option,
    get_config,
    is_terminal,
    now,
    open_store,
    since_option,
    stderr_console,
    stdout_console,
)
from monitor.model import Feed, PollReport
from monitor.pipeline import CycleOptions, scan_feeds
from monitor.pipeline import Progress as ProgressFn
from monitor.report import print_text, render_json, render_markdown
from monitor.rules.load import load_rules_strict

FORMATS = ["text", "markdown", "json"]


@click.command()
@config_option
@click.option("--feed", "feed_urls", multiple=True, metavar="URL|PATH",
              help="Scan this feed instead of the configured ones (repeatable).")
@click.option("--rules", "rules_dir", metavar="DIR", help="Rules directory (default: rules/).")
@click.option("--since", default="all", show_default=True, metavar="24h|7d|all",
              help="Only items published within this window.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--no-store", is_flag=True, help="Do not read or write the database.")
def scan(config_path: str | None, feed_urls: tuple[str, ...], rules_dir: str | None,
         since: str, fmt: str, no_store: bool) -> None:
    """Fetch the feeds once and show the articles that match the rules, and why.

    Feed failures are reported per feed and do not fail the scan.

    Example:

        monitor scan --since 24h --format markdown
    """
    window = since_option(since)
    config = get_config(config_path)
    rules = load_rules_strict(rules_dir or config.rules)
    feeds = tuple(Feed(url) for url in feed_urls) or config.feeds
    store = None if no_store else open_store(config)
    try:
        with _progress(len(feeds)) as advance:
            report = asyncio.run(scan_feeds(
                feeds, rules=rules, settings=config.fetch, store=store, now=now(),
                options=CycleOptions(since=window, store_results=store is not None),
                progress=advance))
    finally:
        if store is not None:
            store.close()
    _print(report, fmt)


def _print(report: PollReport, fmt: str) -> None:
    if fmt == "json":
        click.echo(render_json(report))
    elif fmt == "markdown":
        click.echo(render_markdown(report))
    else:
        print_text(report, stdout_console())


@contextlib.contextmanager
def _progress(total: int) -> Iterator[ProgressFn | None]:
    """A transient progress bar on a terminal; nothing when piped."""
    if not is_terminal() or total < 2:
        yield None
        return
    progress = Progress(TextColumn("fetching feeds"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=stderr_console(), transient=True)
    task = progress.add_task("feeds", total=total)
    with progress:
        yield lambda done, _total: progress.update(task, completed=done)
