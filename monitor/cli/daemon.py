"""`monitor run` (the daemon, or one pass with --once) and `monitor status`."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import click
from rich.table import Table

from monitor.cli.common import config_option, get_config, now, open_store, stdout_console
from monitor.cli.summaries import make_summariser
from monitor.config import Config
from monitor.daemon import Service, install_signals, run_forever
from monitor.lock import InstanceLock
from monitor.logs import event, secrets_from, setup_logging
from monitor.outbox import Outbox
from monitor.posting import channels_for
from monitor.report import iso
from monitor.rules.lint import Diagnostic
from monitor.rules.reload import RuleBook
from monitor.running import describe, run_status
from monitor.schedule import digest_trigger, next_fire
from monitor.sources.policy import feed_health
from monitor.store import Store

log = logging.getLogger("monitor.run")
STUCK_ATTEMPTS = 3  # a digest that failed this often needs a human


@click.command()
@config_option
@click.option("--once", is_flag=True,
              help="Poll every due feed and send every due digest once, then exit (for cron).")
@click.option("--log-format", type=click.Choice(["kv", "json"]), default="kv",
              show_default=True, help="One line per event: key=value or JSON.")
@click.pass_context
def run(ctx: click.Context, config_path: str | None, once: bool, log_format: str) -> None:
    """Run the monitor: poll feeds on their schedule and post each channel's digest on time.

    Digests missed while the process was down (up to 12 hours ago) are sent at start.
    SIGTERM or SIGINT finish the current step and exit 0; SIGHUP reloads rules and
    config (edited rule files are also picked up on their own). Only one `monitor run`
    may use a SQLite store at a time; on PostgreSQL the others stand by and take over.

    Example:

        monitor run --config /data/monitor.toml --log-format json
    """
    verbose = bool(getattr(ctx.obj, "verbose", False))
    setup_logging("json" if log_format == "json" else "kv", "DEBUG" if verbose else "INFO",
                  secrets=secrets_from(os.environ))
    config = get_config(config_path)
    with InstanceLock(config.database) as lock:
        store = open_store(config)
        try:
            service = _service(config, store, config_path, started=None if once else now())
            if once:
                service.once()
                return
            stop, hup = threading.Event(), threading.Event()
            install_signals(stop, hup)
            run_forever(service, lock, stop, hup)
        finally:
            store.close()


def _service(config: Config, store: Store, config_path: str | None,
             started: datetime | None) -> Service:
    def rejected(problems: Sequence[Diagnostic]) -> None:
        for problem in problems:
            event(log, "rules.rejected", logging.ERROR, problem=str(problem))

    rules = RuleBook(config.rules, report=rejected)
    return Service(config, store, rules, clock=now, summariser=make_summariser(config, store),
                   config_path=config_path, printer=click.echo, started=started)


@click.command()
@config_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def status(config_path: str | None, fmt: str) -> None:
    """Feed health, the last and next digest per channel, and pending deliveries.

    Exits 1 when something needs a human: a dead feed, a feed failing for longer than a
    day, or a digest that keeps failing to send.

    Example:

        monitor status --format json
    """
    config = get_config(config_path)
    store = open_store(config)
    try:
        doc = _status(config, store, now())
        doc["run"] = run_status(config.database, now())  # who leads, its lease, the standbys
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        _print_status(doc)
    if doc["problems"]:
        raise click.exceptions.Exit(1)


def _feed_state(state: Any) -> str:
    if state is None:
        return "never polled"
    if state.dead:
        return "dead"
    if state.failing_since is not None:
        return f"failing since {iso(state.failing_since)}"
    return {"not_modified": "not modified"}.get(state.last_status or "", state.last_status or "")


def _status(config: Config, store: Store, stamp: datetime) -> dict[str, Any]:
    states = store.feed_states(f.url for f in config.feeds)
    threshold = config.feed_health_after
    problems: list[str] = []
    feeds = []
    for feed in config.feeds:
        state = states.get(feed.url)
        feeds.append({
            "url": feed.url, "name": feed.name, "state": _feed_state(state),
            "last_success": iso(state.last_success) if state else None,
            "errors": state.error_count if state else 0,
            "last_error": state.last_error if state else None,
            "next_poll": iso(state.next_poll) if state else None,
            "moved_to": state.moved_to if state else None,
        })
        line = feed_health(state, stamp, threshold, name=feed.name, zone=config.zone) \
            if state and threshold else None
        if line:
            problems.append(line)
        if state and state.moved_to:
            problems.append(f"{feed.name or feed.url} moved permanently to {state.moved_to}; "
                            "update its url in the config")
    outbox = Outbox(store)
    channels = []
    for channel in channels_for(config):
        pending = outbox.pending(channel.name)
        upcoming = next_fire(digest_trigger(channel, config.zone), stamp)
        channels.append({
            "name": channel.name, "last_digest": iso(outbox.last_sent(channel.name)),
            "next_digest": iso(upcoming),
            "pending_parts": sum(p.parts_total - p.parts_sent for p in pending),
            "last_error": next((p.last_error for p in pending if p.last_error), None),
        })
        problems += [f"digest {p.id} for {channel.name} has failed {p.attempts} times: "
                     f"{p.last_error}" for p in pending if p.attempts >= STUCK_ATTEMPTS]
    return {"generated_at": iso(stamp), "feeds": feeds, "channels": channels,
            "problems": problems}


def _print_status(doc: dict[str, Any]) -> None:
    console = stdout_console()
    feeds = Table(title="feeds", show_edge=False, header_style="bold")
    for column in ("feed", "state", "last success", "errors", "last error"):
        feeds.add_column(column, overflow="fold")
    for f in doc["feeds"]:
        feeds.add_row(f["name"] or f["url"], f["state"], f["last_success"] or "-",
                      str(f["errors"]), (f["last_error"] or "")[:80])
    console.print(feeds)
    channels = Table(title="channels", show_edge=False, header_style="bold")
    for column in ("channel", "last digest", "next digest", "pending parts"):
        channels.add_column(column)
    for c in doc["channels"]:
        channels.add_row(c["name"], c["last_digest"] or "-", c["next_digest"] or "-",
                         str(c["pending_parts"]))
    console.print(channels)
    for line in describe(doc["run"]):
        console.print(line, markup=False)
    for problem in doc["problems"]:
        console.print(f"needs attention: {problem}", style="red", markup=False)
    if not doc["problems"]:
        console.print("all well", style="green")
