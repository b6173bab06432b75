"""Sending what the outbox holds, channel by channel, and what `status` says about it.

A channel's digests go out oldest first and stop at the first that is not done, so they
never arrive out of order; other channels go on. Before a channel's first post its Slack
id is resolved (conversations.info, or .list for a name) and stored, which also tells
whether it exists, is archived, has the bot in it, and which history scope it needs. A
permanent error holds the channel (no call at all) until its setup changes or a day has
passed; a bad token holds every bot channel after the first that met it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from monitor.config import Channel, Config
from monitor.deliver.slack_client import BotSender, Sender
from monitor.deliver.slack_errors import SlackDeliveryError, api_error
from monitor.deliver.slack_reads import channel_problem
from monitor.errors import ConfigError
from monitor.logs import event
from monitor.outbox import Outbox, Pending, SendResult
from monitor.posting import channels_for, sender_for
from monitor.report import iso
from monitor.slack_state import Block, ChannelState, SlackState, fingerprint, holds
from monitor.store import Store

# The daemon's log (root handlers from logs.setup_logging); a one-off command says the same
# in its own output, so without a handler these events stay quiet instead of going to stderr.
log = logging.getLogger("monitor.run.delivery")
log.addHandler(logging.NullHandler())
Clock = Callable[[], datetime]
AT_LEAST_ONCE = ("delivery is at-least-once until the bot may read the channel's history (a "
                 "part whose answer was lost is posted again): add channels:history "
                 "(groups:history for a private channel) to the app and reinstall it")


def flush(store: Store, config: Config, channels: Sequence[Channel],
          clock: Clock) -> list[SendResult]:
    """Send the pending digests of these channels, oldest first, each part once."""
    outbox, state = Outbox(store), SlackState(store)
    known = state.all()
    results: list[SendResult] = []
    bad_token: Block | None = None
    for channel in channels:
        pending = outbox.pending(channel.name)
        if not pending:
            continue
        try:
            sender = sender_for(channel, config)
        except ConfigError as exc:
            results.append(SendResult(pending[0].id, channel.name, 0, False, str(exc),
                                      attempted=False, permanent=True))
            continue
        if sender is None:
            continue
        print_ = fingerprint(channel, config)
        block = _held(state, channel, known.get(channel.name), print_, clock())
        if block is None and bad_token is not None and not channel.webhook:
            block = replace(bad_token, fingerprint=print_)
            state.block(channel.name, channel.slack_channel, block)
        if block is not None:
            results.append(_waiting(pending[0], block))
            continue
        was = known.get(channel.name)
        sent = _send_channel(outbox, state, pending, sender, channel, clock)
        for result in sent:
            bad_token = _learn(state, channel, result, print_, clock()) or bad_token
        results += _with_news(sent, was, state.get(channel.name), channel)
    return results


def _with_news(results: list[SendResult], was: ChannelState | None, now: ChannelState | None,
               channel: Channel) -> list[SendResult]:
    """Say in the results (once, when it is news) that delivery there is at-least-once."""
    news = now is not None and now.history_missing and not (was and was.history_missing)
    if not news or not results:
        return results
    note = AT_LEAST_ONCE
    last = results[-1]
    if note not in last.notes:
        results[-1] = replace(last, notes=(*last.notes, note))
    return results


def _held(state: SlackState, channel: Channel, current: ChannelState | None, print_: str,
          now: datetime) -> Block | None:
    """The block that still holds the channel; an outdated one is lifted (try once more)."""
    block = holds(current, print_, now)
    if block is None and current is not None and current.block is not None:
        state.unblock(channel.name)
        event(log, "slack.retrying", channel=channel.name,
              why="the setup changed" if current.block.fingerprint != print_
              else "a day has passed")
    return block


def _waiting(pending: Pending, block: Block) -> SendResult:
    return SendResult(pending.id, pending.channel, 0, False, block.error, attempted=False,
                      retry_at=block.until, permanent=True, subject=block.subject,
                      code=block.code)


def _send_channel(outbox: Outbox, state: SlackState, pending: Sequence[Pending],
                  sender: Sender, channel: Channel, clock: Clock) -> list[SendResult]:
    try:
        target = _target(state, channel, sender, clock())
    except SlackDeliveryError as exc:
        return [SendResult(pending[0].id, channel.name, 0, False, str(exc),
                           permanent=not exc.transient, subject=exc.subject, code=exc.code)]
    results = []
    for item in pending:
        if not item.due(clock()):
            results.append(SendResult(item.id, channel.name, 0, False, item.last_error,
                                      attempted=False, retry_at=item.next_attempt))
            break
        result = outbox.send(item, sender, target, clock)
        if result is None:
            results.append(SendResult(item.id, channel.name, 0, False, "another monitor run "
                                      "is sending it right now", attempted=False))
            break
        results.append(result)
        if not result.done:
            break
    return results


def _target(state: SlackState, channel: Channel, sender: Sender, now: datetime) -> str:
    """The channel's id, resolved once and stored; the configured name if it cannot be.

    Raises the permanent error the lookup shows (no such channel, archived, the bot not
    in it, a bad token, no chat:write), which then costs this one call.
    """
    current = state.get(channel.name)
    known = current.id_for(channel.slack_channel) if current else None
    if not isinstance(sender, BotSender):
        return channel.slack_channel or channel.name
    if known:
        sender.labels[known] = channel.slack_channel
        return known
    try:
        info = sender.reader.channel(channel.slack_channel)
    except SlackDeliveryError as exc:
        if exc.transient or exc.code == "missing_scope":
            return channel.slack_channel  # post by name; Slack's answer gives the id
        raise
    problem = channel_problem(info, channel.slack_channel)
    if problem is not None:
        raise problem
    assert info is not None
    scopes = sender.reader.scopes
    if scopes is not None and "chat:write" not in scopes:
        raise api_error("missing_scope", channel=channel.slack_channel, needed="chat:write")
    state.learned(channel.name, channel.slack_channel, now, channel_id=info.id,
                  private=info.private)
    sender.labels[info.id] = channel.slack_channel
    _history(state, channel, scopes, info.private, now)
    return info.id


def _history(state: SlackState, channel: Channel, scopes: frozenset[str] | None,
             private: bool | None, now: datetime, lookup_failed: bool = False) -> None:
    """Keep whether a lost answer can be looked up in the channel; say so once when not."""
    missing: bool | None = True if lookup_failed else None
    if scopes is not None and not lookup_failed:
        # which history scope a channel needs depends on whether it is private; unknown: either
        wanted = {True: {"groups:history"}, False: {"channels:history"},
                  None: {"groups:history", "channels:history"}}[private]
        missing = not wanted & scopes
    if missing is not None and state.learned(channel.name, channel.slack_channel, now,
                                             history_missing=missing):
        event(log, "slack.at_least_once" if missing else "slack.exactly_once",
              logging.WARNING if missing else logging.INFO, channel=channel.name,
              note=AT_LEAST_ONCE if missing else "lost answers are looked up again")


def _learn(state: SlackState, channel: Channel, result: SendResult, print_: str,
           now: datetime) -> Block | None:
    """Keep what a send taught about the channel; return a block that holds the token."""
    if not channel.webhook:
        current = state.get(channel.name)
        if result.channel_id and (current is None or not current.id_for(channel.slack_channel)):
            state.learned(channel.name, channel.slack_channel, now, channel_id=result.channel_id)
        private = current.private if current is not None else None
        _history(state, channel, result.scopes, private, now, result.no_history)
    if not (result.permanent and result.attempted):
        return None
    block = Block(result.code, result.subject, result.error or "", print_, now)
    state.block(channel.name, channel.slack_channel, block)
    event(log, "slack.blocked", logging.ERROR, channel=channel.name, error=block.error,
          retry=f"when the setup changes, or at {iso(block.until)}")
    return block if result.subject == "token" else None


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What `status` says about delivery: problems for a human, and notes."""

    problems: list[str]
    notes: list[str]
    waiting: dict[str, str]  # channel -> the error its digests wait on


def delivery_report(config: Config, store: Store, now: datetime) -> DeliveryReport:
    known = SlackState(store).all()
    held: dict[str, list[str]] = {}
    notes, waiting = [], {}
    for channel in channels_for(config):
        current = known.get(channel.name)
        block = holds(current, fingerprint(channel, config), now)
        if block is not None:
            line = (f"{block.error} The digest waits: the next attempt comes when the token or "
                    f"the config changes, `monitor slack check` finds it fixed, or at "
                    f"{iso(block.until)}.")
            held.setdefault(line, []).append(channel.name)
            waiting[channel.name] = block.error
        if current is not None and current.history_missing and not channel.webhook:
            notes.append(f"{channel.name}: {AT_LEAST_ONCE}")
    problems = [f"{', '.join(names)}: {line}" for line, names in held.items()]
    return DeliveryReport(problems, notes, waiting)
