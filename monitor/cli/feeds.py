"""`monitor feeds`: list, check, import and export the feed list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from monitor.cli.common import (
    config_option,
    feed_option,
    get_config,
    now,
    plural,
    print_table,
    stdout_console,
)

if TYPE_CHECKING:
    from monitor.config import Config
    from monitor.model import Feed, FeedState


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

    Piped, the table is tab-separated rows with every URL whole.

    Example:

        monitor feeds list
    """
    config = get_config(config_path)
    states = _states(config)
    rows = []
    for feed in config.feeds:
        state = states.get(feed.url)
        rows.append([feed.name or "-", feed.url, _interval(feed),
                     state.last_status or "-" if state else "never polled",
                     str(state.error_count) if state else "-"])
    print_table(("name", "url", "every", "last status", "errors"), rows)


def _states(config: Config) -> dict[str, FeedState]:
    from monitor.store import Store

    prefix = "sqlite:///"
    if config.database.startswith(prefix) and not Path(config.database[len(prefix):]).exists():
        return {}  # no store yet: nothing polled, and none is created just to look
    store = Store(config.database)
    try:
        return dict(store.feed_states())
    finally:
        store.close()


def _interval(feed: Feed) -> str:
    minutes = int(feed.interval.total_seconds() // 60)
    return f"{minutes // 60}h" if minutes % 60 == 0 and minutes >= 60 else f"{minutes}m"


@feeds.command()
@config_option
@feed_option("Check this feed instead of the configured ones (repeatable).")
def check(config_path: str | None, feed_urls: tuple[str, ...]) -> None:
    """Poll every feed once, without storing anything: status, items, latency, error.

    Exits 1 when any feed failed.

    Example:

        monitor feeds check --feed https://www.hpcwire.com/feed/
    """
    from monitor.model import Feed
    from monitor.pipeline import CycleOptions, run_scan
    from monitor.report import feed_summary, print_problems

    config = get_config(config_path)
    targets = tuple(Feed(u) for u in feed_urls) or config.feeds
    report = run_scan(targets, rules=(), settings=config.fetch, store=None, now=now(),
                      options=CycleOptions(store_results=False))
    print_table(("feed", "status", "items", "ms", "error"),
                [(f.name or f.url, f.status, str(f.items), str(f.elapsed_ms), f.error or "")
                 for f in report.feeds],
                styles=["red" if f.status == "error" else "" for f in report.feeds])
    console = stdout_console()
    console.print(feed_summary(report.feeds), markup=False)
    print_problems(report.feeds, console, listed_elsewhere=True)
    if any(f.status == "error" for f in report.feeds):
        raise click.exceptions.Exit(1)


@feeds.command("import")
@config_option
@click.argument("opml_file", type=click.Path(exists=True, dir_okay=False))
def import_feeds(config_path: str | None, opml_file: str) -> None:
    """Add the feeds of an OPML file to monitor.toml (created if there is none).

    Feeds already configured are skipped, and so are entries that are neither http(s)
    URLs nor existing files (each with a warning). A monitor.toml with no feeds yet gets
    the shipped list first, so that importing adds to it.

    Example:

        monitor feeds import reading-list.opml
    """
    from monitor.sources.location import location_problem
    from monitor.sources.opml import read_opml

    config = get_config(config_path)
    target = config.path or Path("monitor.toml")
    listed = read_opml(Path(opml_file))
    usable = []
    for feed in listed:
        problem = location_problem(feed.url)
        if problem:
            click.echo(f"warning: {opml_file}: skipped {problem}", err=True)
        else:
            usable.append(feed)
    known = {f.url for f in config.feeds}
    fresh = _unique([f for f in usable if f.url not in known])
    already = len(usable) - len([f for f in usable if f.url not in known])
    seen = f" ({already} already configured)" if already else ""
    if not fresh:
        click.echo(f"No new feeds in {opml_file}{seen}; {target} is unchanged.")
        return
    starting = list(config.feeds) if config.shipped_feeds else []
    _append(target, starting + fresh)
    first = f"; the {len(starting)} shipped feeds were written first, so they stay polled" \
        if starting else ""
    click.echo(f"Added {plural(len(fresh), 'new feed')} to {target}{seen}{first}.")


def _append(target: Path, entries: list[Feed]) -> None:
    with target.open("a", encoding="utf-8") as handle:
        for feed in entries:
            handle.write(f"\n[[feeds]]\nurl = {json.dumps(feed.url)}\n")
            if feed.name:
                handle.write(f"name = {json.dumps(feed.name, ensure_ascii=False)}\n")


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
    from monitor.sources.opml import write_opml

    config = get_config(config_path)
    click.echo(write_opml(config.feeds, title="monitor feeds", now=now()), nl=False)
