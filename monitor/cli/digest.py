"""`monitor digest`: build a channel's digest for its window, and post or preview it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import click

from monitor.cli.common import config_option, get_config, now, open_store, since_option

if TYPE_CHECKING:
    from monitor.config import Channel, Config
    from monitor.outbox import SendResult
    from monitor.posting import Prepared
    from monitor.store import Store

FORMATS = ["text", "markdown", "json", "slack"]


@click.command()
@config_option
@click.option("--channel", "channel_name", metavar="NAME",
              help="Only this [[channels]] entry (default: every channel).")
@click.option("--since", metavar="24h|7d|all",
              help="The window (default: since the channel's previous digest).")
@click.option("--dry-run", is_flag=True, help="Print the digest; store and send nothing.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="What to print: text, markdown, json, or slack (the exact Block Kit JSON).")
def digest(config_path: str | None, channel_name: str | None, since: str | None, dry_run: bool,
           fmt: str | None) -> None:
    """Build each channel's digest of new matches and post it (Slack, or the terminal).

    A digest covers the window since the channel's previous one; stories already
    posted to a channel never go there again. The digest is stored before anything is
    sent, so a failed or interrupted post is finished later and never repeated. With
    --dry-run --format slack it prints the messages each channel would get (with no
    channel configured, those of a default one), as chat.postMessage payloads.

    Example:

        monitor digest --channel ai-infra --dry-run --format slack
    """
    from monitor.posting import channels_for

    config = get_config(config_path)
    window = since_option(since) if since else None
    store = open_store(config)
    try:
        prepared = [_prepare(store, config, c, window)
                    for c in channels_for(config, channel_name)]
        _print(prepared, fmt or ("slack" if dry_run and any(p.parts for p in prepared)
                                 else "text"), config)
        if not dry_run:
            for one in prepared:
                _post(store, config, one)
    finally:
        store.close()


def _prepare(store: Store, config: Config, channel: Channel,
             window: timedelta | None) -> Prepared:
    from monitor.cli.summaries import make_summariser
    from monitor.outbox import Outbox
    from monitor.posting import gather, prepare, slack_mode, with_summary
    from monitor.tracker import week_tracker

    stamp = now()
    last = Outbox(store).last_window_end(channel.name)
    start = stamp - window if window else last
    summarise = with_summary(make_summariser(config, store), config.summary_sentences,
                             config.summary_chars)
    items = gather(store, channel, start, stamp, summarise)
    return prepare(channel, items, now=stamp, since=start, outbox=Outbox(store),
                   mode=slack_mode(channel), config=config,
                   tracker=week_tracker(store, channel, now=stamp, zone=config.zone, last=last))


def _print(prepared: Sequence[Prepared], fmt: str, config: Config) -> None:
    from monitor.deliver.console import render_markdown, render_text, to_json

    if fmt == "json":
        docs = [to_json(p.digest) for p in prepared]
        click.echo(json.dumps(docs[0] if len(docs) == 1 else docs, ensure_ascii=False,
                              indent=2))
    elif fmt == "slack":
        payload = [message for p in prepared for message in slack_payload(p, config)]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    for one in prepared:
        if fmt == "markdown":
            click.echo(render_markdown(one.digest, tz=config.zone), nl=False)
        elif fmt == "text" and not one.parts:
            click.echo(render_text(one.digest, tz=config.zone), nl=False)


def slack_payload(prepared: Prepared, config: Config) -> list[dict[str, Any]]:
    """The chat.postMessage payloads a digest would be sent as (`thread`: a reply to the
    first). A channel without Slack is shown as a bot-token channel would get it; a
    digest that would not be posted (empty, `post_empty = false`) is no message."""
    from monitor.deliver.slack import render_digest

    channel, digest_ = prepared.channel, prepared.digest
    parts = prepared.parts
    news = bool(digest_.stories) or digest_.tracker is not None
    if not parts and (news or channel.post_empty):
        parts = tuple(render_digest(digest_, mode="bot", tz=config.zone))
    if not news and not channel.post_empty:
        click.echo(f"{channel.name}: nothing new in the window; nothing would be posted "
                   "(post_empty = false).", err=True)
        parts = ()
    target = channel.slack_channel or channel.name
    return [{"channel": target, "text": p.text, "blocks": list(p.blocks), "thread": p.thread}
            for p in parts]


def _post(store: Store, config: Config, prepared: Prepared) -> None:
    from monitor.outbox import Outbox
    from monitor.posting import record
    from monitor.sending import flush

    stamp = now()
    digest_id = record(store, prepared, stamp)
    channel = prepared.channel
    if digest_id is None:
        click.echo(f"{channel.name}: nothing new since the last digest; nothing posted.")
    elif not prepared.parts:
        Outbox(store).mark_delivered(digest_id, stamp)
    # also what an earlier run left pending (a crash, an outage), oldest first
    report_results(channel.name, flush(store, config, [channel], now))


def report_results(name: str, results: Sequence[SendResult]) -> None:
    """One line per digest; exit 1 when a send failed or a human must fix something."""
    for result in results:
        click.echo(_result_line(name, result), err=not result.done)
    for note in dict.fromkeys(n for r in results for n in r.notes):
        click.echo(f"{name}: note: {note}", err=True)
    if any(not r.done and (r.attempted or r.permanent) for r in results):
        raise click.exceptions.Exit(1)


def _result_line(name: str, result: SendResult) -> str:
    from monitor.report import iso
    from monitor.wording import plural

    found = f"; {result.found} found already in the channel" if result.found else ""
    when = f" at {iso(result.retry_at)}" if result.retry_at else ""
    if result.done:
        sent = plural(result.sent, "message")
        return f"{name}: posted digest {result.digest_id} ({sent}{found})."
    if result.permanent:
        return f"{name}: digest {result.digest_id} waits until this is fixed: {result.error}"
    if not result.attempted and result.retry_at is None:
        return f"{name}: digest {result.digest_id} is pending: {result.error}"
    if not result.attempted:
        return (f"{name}: digest {result.digest_id} is pending and will be retried{when} "
                f"(last error: {result.error})")
    return f"{name}: digest {result.digest_id} is kept and will be retried{when}: {result.error}"
