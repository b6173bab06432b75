"""What Slack's answers mean for a digest: a sentence with the fix, and what to do next.

    SlackDeliveryError(DeliveryError)
      transient=True    try again later (rate limit, Slack trouble, network); with
                        `retry_after` when Slack said how long to wait
      uncertain=True    the post may have been accepted (connection dropped, timeout,
                        5xx): look for it in the channel before sending it again
      transient=False   a human must fix something first; `subject` says what:
                        "token", "channel" or "message" (a renderer bug)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from monitor.errors import DeliveryError

Subject = Literal["", "token", "channel", "message"]


class SlackDeliveryError(DeliveryError):
    """Slack refused a message or could not be reached; see the module docstring."""

    def __init__(self, message: str, *, transient: bool, code: str = "",
                 uncertain: bool = False, retry_after: float | None = None,
                 subject: Subject = "") -> None:
        super().__init__(message)
        self.transient = transient or uncertain
        self.uncertain = uncertain
        self.code = code
        self.retry_after = retry_after
        self.subject: Subject = "" if self.transient else (subject or "channel")


class NoHistoryAccess(SlackDeliveryError):
    """The bot may not read the channel's history, so a lost answer cannot be checked."""


_BAD_TOKEN = (
    "Slack rejected the bot token ({code}): "
    "set SLACK_BOT_TOKEN to the app's current bot token (xoxb-…)."
)
_BUG = (
    "Slack refused the message as malformed ({code}): "
    "this is a bug in monitor's Slack renderer, please report it."
)
_API_ERRORS: Mapping[str, tuple[Subject, str]] = {
    "invalid_auth": ("token", _BAD_TOKEN),
    "not_authed": ("token", _BAD_TOKEN),
    "account_inactive": ("token", _BAD_TOKEN),
    "token_expired": ("token", _BAD_TOKEN),
    "token_revoked": ("token", "The Slack bot token was revoked ({code}): "
                      "reinstall the app and set SLACK_BOT_TOKEN to its new token."),
    "missing_scope": ("token", "The Slack bot token lacks the {needed} scope ({code}): "
                      "add it to the app (slack/manifest.yaml lists every scope) and "
                      "reinstall the app."),
    "channel_not_found": ("channel", "Slack has no channel {channel} that the bot can see "
                          "({code}): check slack_channel in the config (a private channel "
                          "must invite the bot first)."),
    "not_in_channel": ("channel", "The bot is not a member of {channel} ({code}): "
                       "invite it with /invite @{bot}."),
    "is_archived": ("channel", "Slack channel {channel} is archived ({code}): "
                    "unarchive it or set slack_channel to another channel."),
    "restricted_action": ("channel", "Slack does not let the bot post in {channel} ({code}): "
                          "ask a workspace admin to allow it, or use another channel."),
    "invalid_blocks": ("message", _BUG),
    "invalid_blocks_format": ("message", _BUG),
    "msg_blocks_too_long": ("message", _BUG),
    "msg_too_long": ("message", _BUG),
    "no_text": ("message", _BUG),
    "invalid_metadata_format": ("message", _BUG),
    "invalid_metadata_schema": ("message", _BUG),
}
_WEBHOOK_GONE = (
    "The Slack incoming webhook no longer exists ({code}): "
    "create a new one in the Slack app and set SLACK_WEBHOOK_URL to its URL."
)
_WEBHOOK_ERRORS: Mapping[str, tuple[Subject, str]] = {
    "no_service": ("token", _WEBHOOK_GONE),
    "no_team": ("token", _WEBHOOK_GONE),
    "invalid_token": ("token", "Slack rejected the incoming webhook URL ({code}): "
                      "copy the webhook's current URL into SLACK_WEBHOOK_URL."),
    "channel_not_found": ("channel", "The incoming webhook's channel no longer exists "
                          "({code}): create a webhook for another channel and set "
                          "SLACK_WEBHOOK_URL to its URL."),
    "channel_is_archived": ("channel", "The incoming webhook's channel is archived ({code}): "
                            "unarchive it or create a webhook for another channel."),
    "action_prohibited": ("channel", "The Slack workspace does not let this webhook post "
                          "({code}): ask a workspace admin to allow it."),
    "invalid_payload": ("message", _BUG),
    "invalid_blocks": ("message", _BUG),
    "invalid_blocks_format": ("message", _BUG),
    "msg_blocks_too_long": ("message", _BUG),
    "no_text": ("message", _BUG),
}
# Slack says these when it failed part-way: the message may or may not have been posted.
UNCERTAIN_CODES = frozenset({"internal_error", "fatal_error", "request_timeout"})
BUSY_CODES = frozenset({"ratelimited", "rate_limited", "service_unavailable"})


def api_error(code: str, *, channel: str, needed: str = "", bot: str = "") -> SlackDeliveryError:
    """The sentence for a Web API error code that a human must act on."""
    subject, template = _API_ERRORS.get(code, ("channel", ""))
    if not template:
        return SlackDeliveryError(
            f"Slack refused the request ({code}): look the code up at "
            "https://docs.slack.dev/reference/methods/chat.postMessage and fix the cause.",
            transient=False, code=code, subject="channel")
    message = template.format(code=code, channel=channel, needed=needed or "chat:write",
                              bot=bot or "<the bot's name> (`monitor slack check` shows it)")
    return SlackDeliveryError(message, transient=False, code=code, subject=subject)


def webhook_error(status: int, body: str) -> SlackDeliveryError:
    """The sentence for a webhook's refusal (HTTP status and its plain-text body)."""
    code = body if body in _WEBHOOK_ERRORS else ("no_service" if status in (404, 410) else "")
    subject, template = _WEBHOOK_ERRORS.get(code, ("channel", ""))
    if not template:
        return SlackDeliveryError(
            f"Slack refused the webhook post (HTTP {status}, {body or 'no body'}): "
            "check SLACK_WEBHOOK_URL and the webhook's settings in the Slack app.",
            transient=False, code=str(status), subject="channel")
    return SlackDeliveryError(template.format(code=code), transient=False, code=code,
                              subject=subject)


def rate_limited(retry_after: float | None) -> SlackDeliveryError:
    wait = f"after {retry_after:g} s" if retry_after else "on a later run"
    return SlackDeliveryError(
        f"Slack is rate-limiting the bot: the digest goes on {wait}.",
        transient=True, code="ratelimited", retry_after=retry_after)


def server_error(status: int, *, uncertain: bool, can_check: bool = True) -> SlackDeliveryError:
    then = ("monitor looks for the part in the channel before it sends it again"
            if uncertain and can_check else "the digest will be sent on a later run")
    return SlackDeliveryError(f"Slack answered HTTP {status}: Slack is having trouble, so {then}.",
                              transient=True, uncertain=uncertain, code=str(status))


def unreachable(where: str, reason: str, variable: str) -> SlackDeliveryError:
    """Nothing was sent: the connection could not be made."""
    return SlackDeliveryError(
        f"Could not reach {where} ({reason}): check the network, the proxy settings or "
        f"{variable}; the digest will be sent on a later run.",
        transient=True, code="unreachable")


def answer_lost(where: str, reason: str, *, can_check: bool = True) -> SlackDeliveryError:
    """The request went out and no answer came back: Slack may have posted it."""
    then = ("monitor looks for the part in the channel before it sends it again" if can_check
            else "the part will be sent again on a later run (a webhook cannot be asked "
                 "whether it arrived)")
    return SlackDeliveryError(f"The answer from {where} was lost ({reason}): {then}.",
                              transient=True, uncertain=True, code="answer_lost")
