"""`monitor run` (the daemon, or one pass with --once) and `monitor status`."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from monitor.cli.common import config_option, get_config, now, open_store, print_table

if TYPE_CHECKING:
    from monitor.config import Config
    from monitor.daemon import Service
    from monitor.rules.lint import Diagnostic
    from monitor.store import Store

log = logging.getLogger("monitor.run")


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
    from monitor.daemon import install_signals, run_forever
    from monitor.lock import InstanceLock
    from monitor.logs import secrets_from, setup_logging

    verbose = bool(getattr(ctx.obj, "verbose", False))
    setup_logging("json" if log_format == "json" else "kv", "DEBUG" if verbose else "INFO",
                  secrets=secrets_from(os.environ))
    config = get_config(config_path)
    with InstanceLock(config.database) as lock:
        store = open_store(config)
        try:
            service = _service(config, store, config_path, started=None if once else now())
            if once:
                if service.once():
                    raise click.exceptions.Exit(1)  # a digest waits for a human: see status
                return
            stop, hup = threading.Event(), threading.Event()
            install_signals(stop, hup)
            run_forever(service, lock, stop, hup)
        finally:
            store.close()


def _service(config: Config, store: Store, config_path: str | None,
             started: datetime | None) -> Service:
    from monitor.cli.summaries import make_summariser
    from monitor.daemon import Service
    from monitor.logs import event
    from monitor.rules.reload import RuleBook

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
    from monitor.status import status_report

    config = get_config(config_path)
    store = open_store(config)
    try:
        doc = status_report(config, store, now())
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        _print_status(doc)
    if doc["problems"]:
        raise click.exceptions.Exit(1)


def _print_status(doc: dict[str, Any]) -> None:
    from monitor.cli.common import stdout_console

    print_table(("feed", "state", "last success", "errors", "last error"),
                [(f["name"] or f["url"], f["state"], f["last_success"] or "-", str(f["errors"]),
                  f["last_error"] or "") for f in doc["feeds"]], title="feeds")
    print_table(("channel", "last digest", "next digest", "pending parts"),
                [(c["name"], c["last_digest"] or "-", c["next_digest"] or "-",
                  str(c["pending_parts"])) for c in doc["channels"]], title="channels")
    console = stdout_console()
    console.print(f"story grouping: {doc['grouping']}", markup=False)
    from monitor.running import describe

    for line in describe(doc["run"]):
        console.print(line, markup=False)
    for problem in doc["problems"]:
        console.print(f"needs attention: {problem}", style="red", markup=False)
    for note in doc.get("notes", []):
        console.print(f"note: {note}", style="yellow", markup=False)
    if doc["problems"]:
        return
    if all(f["state"] == "never polled" for f in doc["feeds"]):
        console.print("no feed polled yet: `monitor run` (or `monitor scan`) polls them")
    else:
        console.print("all well", style="green")
