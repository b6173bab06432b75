"""`monitor scan`: one pass over the feeds, matches printed (and stored, and posted)."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import click

from monitor.cli.common import (
    config_option,
    feed_option,
    get_config,
    is_terminal,
    now,
    open_store,
    since_option,
    stderr_console,
    stdout_console,
)

if TYPE_CHECKING:
    from monitor.config import Config
    from monitor.model import Feed, PollReport
    from monitor.pipeline import CycleOptions
    from monitor.pipeline import Progress as ProgressFn
    from monitor.store import Store

FORMATS = ["text", "markdown", "json", "slack"]


@click.command()
@config_option
@feed_option("Scan this feed instead of the configured ones (repeatable).")
@click.option("--rules", "rules_dir", metavar="DIR",
              help="Rules directory (default: the config's, ./rules, or the shipped rules).")
@click.option("--since", default="all", show_default=True, metavar="24h|7d|all",
              help="Only items published within this window.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="slack prints the Block Kit JSON a digest of these matches would post.")
@click.option("--post", is_flag=True, help="Post the matches to Slack as one digest.")
@click.option("--no-store", is_flag=True, help="Do not read or write the database.")
@click.option("--full-text/--no-full-text", "full_text", default=None,
              help="Fetch article pages for short, promising items (default: on).")
def scan(config_path: str | None, feed_urls: tuple[str, ...], rules_dir: str | None,
         since: str, fmt: str, post: bool, no_store: bool, full_text: bool | None) -> None:
    """Fetch the feeds once and show the articles that match the rules, and why.

    Feed failures are reported per feed and do not fail the scan.

    Example:

        monitor scan --since 24h --format markdown
    """
    from monitor.model import Feed
    from monitor.pipeline import run_scan
    from monitor.rules.load import load_rules_strict

    window = since_option(since)
    config = get_config(config_path)
    if post and no_store:
        raise click.UsageError("--post needs the store (it records what was posted); "
                               "drop --no-store")
    rules = load_rules_strict(rules_dir or config.rules)
    feeds = tuple(Feed(url) for url in feed_urls) or config.feeds
    store = None if no_store else open_store(config)
    try:
        options = _options(config, feeds, store, window, full_text)
        with _progress(len(feeds)) as advance:
            report = run_scan(feeds, rules=rules, settings=config.fetch, store=store,
                              now=now(), options=options, progress=advance)
        _print(report, fmt, config, store)
        if post and store is not None:
            _post(report, config, store)
    finally:
        if store is not None:
            store.close()


def _options(config: Config, feeds: tuple[Feed, ...], store: Store | None,
             window: timedelta | None, full_text: bool | None) -> CycleOptions:
    from monitor.cli.summaries import make_summariser
    from monitor.pipeline import CycleOptions
    from monitor.sources.fulltext import feed_origins
    from monitor.sources.guard import AddressGuard

    settings = config.full_text
    if full_text is not None:
        settings = dataclasses.replace(settings, enabled=full_text)
    return CycleOptions(
        since=window, store_results=store is not None, full_text=settings,
        guard=AddressGuard(feed_origins(feeds)), summariser=make_summariser(config, store),
        sentences=config.summary_sentences, summary_chars=config.summary_chars)


def _print(report: PollReport, fmt: str, config: Config, store: Store | None) -> None:
    from monitor.report import print_text, render_json, render_markdown

    if fmt == "json":
        click.echo(render_json(report))
    elif fmt == "markdown":
        click.echo(render_markdown(report))
    elif fmt == "slack":
        click.echo(json.dumps(_slack_preview(report, config, store), ensure_ascii=False,
                              indent=2))
    else:
        print_text(report, stdout_console())
        for note in report.notes:
            click.echo(f"  note: {note}")


def _slack_preview(report: PollReport, config: Config,
                   store: Store | None) -> list[dict[str, Any]]:
    from monitor.cli.digest import slack_payload
    from monitor.outbox import Outbox
    from monitor.posting import channels_for, prepare, slack_mode

    channel = channels_for(config)[0]
    prepared = prepare(channel, report.items, now=report.generated_at, since=None,
                       outbox=Outbox(store) if store else None,
                       mode=slack_mode(channel) or "bot", config=config)
    return slack_payload(prepared, config)


def _post(report: PollReport, config: Config, store: Store) -> None:
    from monitor.cli.digest import report_results
    from monitor.errors import ConfigError
    from monitor.outbox import Outbox
    from monitor.posting import channels_for, prepare, record, sender_for, slack_mode
    from monitor.sending import flush

    channels = [c for c in channels_for(config) if sender_for(c, config) is not None]
    if not channels:
        raise ConfigError("--post needs Slack: set SLACK_BOT_TOKEN and [[channels]] with "
                          "slack_channel, or SLACK_WEBHOOK_URL")
    for channel in channels:
        rules = set(channel.rules)
        items = [i for i in report.items
                 if not rules or any(m.rule_id in rules for m in i.matches)]
        prepared = prepare(channel, items, now=report.generated_at, since=None,
                           outbox=Outbox(store), mode=slack_mode(channel), config=config)
        # "scan": what it posts is kept out of later digests, but the window stays put
        if record(store, prepared, now(), origin="scan") is None:
            click.echo(f"{channel.name}: nothing new to post.", err=True)
        # also what an earlier run left pending, oldest first
        report_results(channel.name, flush(store, config, [channel], now))


@contextlib.contextmanager
def _progress(total: int) -> Iterator[ProgressFn | None]:
    """A transient progress bar on a terminal; nothing when piped."""
    if not is_terminal() or total < 2:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn("fetching feeds"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=stderr_console(), transient=True)
    task = progress.add_task("feeds", total=total)
    with progress:
        yield lambda done, _total: progress.update(task, completed=done)
