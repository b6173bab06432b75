"""`monitor feeds`: list, check, import and export the feed list."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from monitor.cli.common import config_option, get_config, now, stdout_console
from monitor.config import Config
from monitor.model import Feed
from monitor.pipeline import CycleOptions, run_scan
from monitor.report import feed_name, feed_summary
from monitor.sources.opml import read_opml, write_opml
from monitor.store import Store


@click.group()
def feeds() -> None:
    """List, check, import and export the feeds monitor polls.

    Example:

        monitor feeds check
    """


@feeds.command("list")
@config_option
def list_feeds(config_path: str | None) -> None:
    """Show the configured feeds, with their last known state when the store has one.

    Example:

        monitor feeds list
    """
    config = get_config(config_path)
    states = Store(config.database).feed_states() if _has_store(config) else {}
    table = Table(show_edge=False, header_style="bold")
    for column in ("name", "url", "every", "last status", "errors"):
        table.add_column(column)
    for feed in config.feeds:
        state = states.get(feed.url)
        table.add_row(feed.name or "-", feed.url, _interval(feed),
                      state.last_status or "-" if state else "never polled",
                      str(state.error_count) if state else "-")
    stdout_console().print(table)


def _has_store(config: Config) -> bool:
    prefix = "sqlite:///"
    return not config.database.startswith(prefix) or Path(config.database[len(prefix):]).exists()


def _interval(feed: Feed) -> str:
    minutes = int(feed.interval.total_seconds() // 60)
    return f"{minutes // 60}h" if minutes % 60 == 0 and minutes >= 60 else f"{minutes}m"


@feeds.command()
@config_option
@click.option("--feed", "feed_urls", multiple=True, metavar="URL|PATH",
              help="Check this feed instead of the configured ones (repeatable).")
def check(config_path: str | None, feed_urls: tuple[str, ...]) -> None:
    """Poll every feed once, without storing anything: status, items, latency, error.

    Exits 1 when any feed failed.

    Example:

        monitor feeds check --feed https://www.hpcwire.com/feed/
    """
    config = get_config(config_path)
    targets = tuple(Feed(u) for u in feed_urls) or config.feeds
    report = run_scan(targets, rules=(), settings=config.fetch, store=None, now=now(),
                      options=CycleOptions(store_results=False))
    table = Table(show_edge=False, header_style="bold")
    for column in ("feed", "status", "items", "ms"):
        table.add_column(column, overflow="fold")
    for feed in report.feeds:
        style = "red" if feed.status == "error" else ""
        table.add_row(feed.name or feed.url, feed.status, str(feed.items), str(feed.elapsed_ms),
                      style=style)
    console = stdout_console()
    console.print(table)
    console.print(feed_summary(report.feeds))
    for feed in report.feeds:
        if feed.error or feed.warning:
            kind = "failed" if feed.error else "warning"
            console.print(Text(f"  {kind}: {feed_name(feed)}: {feed.error or feed.warning}",
                               style="red" if feed.error else "yellow"))
    if any(f.status == "error" for f in report.feeds):
        raise click.exceptions.Exit(1)


@feeds.command("import")
@config_option
@click.argument("opml_file", type=click.Path(exists=True, dir_okay=False))
def import_feeds(config_path: str | None, opml_file: str) -> None:
    """Add the feeds of an OPML file to monitor.toml (created if there is none).

    A new monitor.toml starts with the shipped feed list, so importing adds to it.
    Feeds already configured are skipped.

    Example:

        monitor feeds import reading-list.opml
    """
    config = get_config(config_path)
    target = config.path or Path("monitor.toml")
    existing = {f.url for f in config.feeds} if config.path else set()
    fresh = [f for f in read_opml(Path(opml_file)) if f.url not in existing]
    starting = [] if config.path else list(config.feeds)
    entries = _unique(starting + fresh)
    with target.open("a", encoding="utf-8") as handle:
        for feed in entries:
            handle.write(f"\n[[feeds]]\nurl = {json.dumps(feed.url)}\n")
            if feed.name:
                handle.write(f"name = {json.dumps(feed.name, ensure_ascii=False)}\n")
    click.echo(f"Added {len(fresh)} feeds to {target} ({len(entries) - len(fresh)} shipped "
               f"feeds written first)." if starting else f"Added {len(fresh)} feeds to {target}.")


def _unique(items: list[Feed]) -> list[Feed]:
    seen: dict[str, Feed] = {}
    for feed in items:
        seen.setdefault(feed.url, feed)
    return list(seen.values())


@feeds.command()
@config_option
def export(config_path: str | None) -> None:
    """Print the configured feeds as OPML 2.0.

    Example:

        monitor feeds export > feeds.opml
    """
    config = get_config(config_path)
    click.echo(write_opml(config.feeds, title="monitor feeds", now=now()), nl=False)
