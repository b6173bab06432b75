"""How the parts of one digest reach Slack: each once, in order, threaded under part 1.

Before a part is sent, the attempt is recorded. When Slack's answer is lost (a dropped
connection, a timeout, a 5xx), or a part is found attempted but not accepted (the sender
was killed), the part is first looked for in the channel by its message metadata; a part
found there is recorded with its `ts` and never sent again. Only a sender that cannot
look (a webhook), or a bot that may not read the channel's history, sends such a part
again: that delivery is at-least-once, and the notes say so.

An update's reply goes to the thread of the earlier story's message (its own channel and
ts), by the same protocol. If Slack refuses it for good (the earlier message or channel is
gone), it is given up: the digest already shows the update, and the channel is not held.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from monitor.deliver.slack import MessagePart
from monitor.deliver.slack_client import PartKey, Sender, Sent
from monitor.deliver.slack_errors import NoHistoryAccess, SlackDeliveryError

GIVEN_UP = "-"  # the ts kept for an update's reply that Slack refused for good (thread gone)


class Recorder(Protocol):
    """Where delivery writes what happened, as it happens (the outbox)."""

    def renew(self) -> None:
        """Extend the claim on the digest; raise DeliveryError if another run took it."""

    def attempting(self, index: int, at: datetime) -> None:
        """A part is about to be sent."""

    def refused(self, index: int) -> None:
        """Slack answered that the part was not posted."""

    def accepted(self, index: int, sent: Sent) -> None:
        """Slack has the part (posted now, or found in the channel)."""


@dataclass(slots=True)
class Attempt:
    """One digest as the outbox holds it, and what delivering it noticed."""

    digest_id: int
    key: str  # unique to this digest in this store; the parts' keys derive from it
    channel: str  # an id where known, else the configured name
    parts: Sequence[MessagePart]
    sent: dict[int, str]  # index -> ts of the parts Slack has
    unsure: Mapping[int, datetime] = field(default_factory=dict)  # index -> attempt started
    notes: list[str] = field(default_factory=list)  # e.g. "at-least-once" for this channel
    found: int = 0  # parts found in the channel instead of sent again
    unverified: bool = False  # a lost answer could not be looked up (no history scope)

    def part_key(self, index: int) -> PartKey:
        return PartKey(self.digest_id, f"{self.key}:{index}")


def deliver(attempt: Attempt, sender: Sender, recorder: Recorder,
            clock: Callable[[], datetime]) -> int:
    """Send the parts not yet accepted; return how many Slack accepted (or had) in this call.

    Raises SlackDeliveryError at the first part that could not be delivered: the parts
    before it are recorded, the rest stay pending.
    """
    accepted = 0
    for part in attempt.parts:
        if part.index in attempt.sent:
            continue
        recorder.renew()
        # an update's reply goes to the thread of the earlier story's message, wherever it is
        thread = part.reply_to or (attempt.sent.get(1) if part.thread else None)
        channel = part.reply_channel or attempt.channel
        since = attempt.unsure.get(part.index)
        found = _look(attempt, sender, part.index, thread, since, channel) if since else None
        try:
            sent = found or _send(attempt, sender, recorder, part, thread, clock, channel)
        except SlackDeliveryError as err:
            if not part.reply_to or err.transient or err.subject == "token":
                raise
            sent = Sent(GIVEN_UP)  # the earlier message is gone: the digest itself has the update
        attempt.found += found is not None
        attempt.sent[part.index] = sent.ts
        if sent.channel_id and not part.reply_to:
            attempt.channel = sent.channel_id  # replies and lookups go by id
        recorder.accepted(part.index, sent)
        accepted += 1
    return accepted


def _send(attempt: Attempt, sender: Sender, recorder: Recorder, part: MessagePart,
          thread: str | None, clock: Callable[[], datetime], channel: str) -> Sent:
    started = clock()
    recorder.attempting(part.index, started)
    try:
        return sender.send(part, channel=channel, thread_ts=thread,
                           key=attempt.part_key(part.index))
    except SlackDeliveryError as err:
        if not err.uncertain:
            recorder.refused(part.index)
            raise
        found = _look(attempt, sender, part.index, thread, started, channel)
        if found is None:
            raise
        attempt.found += 1
        return found


def _look(attempt: Attempt, sender: Sender, index: int, thread: str | None,
          around: datetime, channel: str) -> Sent | None:
    """The part if it is already in the channel; None when absent or nobody can tell."""
    if not sender.verifiable:
        return None
    try:
        return sender.find(attempt.part_key(index), channel=channel, thread_ts=thread,
                           around=around)
    except NoHistoryAccess as err:
        attempt.unverified = True
        if str(err) not in attempt.notes:
            attempt.notes.append(str(err))
        return None
