"""Send rendered message parts to Slack with a bot token (Web API) or an incoming webhook."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import (
    BackoffRetryIntervalCalculator,
    ConnectionErrorRetryHandler,
    HttpRequest,
    HttpResponse,
    Jitter,
    RateLimitErrorRetryHandler,
    RetryHandler,
    RetryState,
)
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from monitor.deliver.slack import MessagePart
from monitor.errors import ConfigError, DeliveryError

DEFAULT_API_URL = "https://slack.com/api/"
WEBHOOK_TS = "webhook"  # webhooks answer "ok", never a message ts

# slack_sdk logs request URLs at INFO and DEBUG, and a webhook URL is itself a secret.
_LOG = logging.getLogger("monitor.deliver.slack_sdk")
_LOG.setLevel(logging.WARNING)


class SlackDeliveryError(DeliveryError):
    """Slack refused a message or could not be reached; `transient` means "retry later"."""

    def __init__(self, message: str, *, transient: bool, code: str = "") -> None:
        super().__init__(message)
        self.transient = transient
        self.code = code


class Sender(Protocol):
    """Posts one message part and returns Slack's `ts` for it."""

    def send(self, part: MessagePart, *, channel: str, thread_ts: str | None) -> str: ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try: retries for 429, 5xx and dropped connections, and a timeout."""

    retries: int = 3
    backoff: float = 0.5  # seconds before the first retry, doubled (with jitter) after
    timeout: int = 30  # seconds per request


class _ServerErrorRetry(ServerErrorRetryHandler):
    """Also retries 502 and 504, which proxies in front of Slack answer too."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code in (500, 502, 503, 504)


class _ProportionalJitter(Jitter):
    """Waits between 1x and 2x the backoff; slack_sdk's default adds up to a whole second."""

    def recalculate(self, duration: float) -> float:
        return duration * (1 + random.random())


def _retry_handlers(policy: RetryPolicy) -> list[RetryHandler]:
    backoff = BackoffRetryIntervalCalculator(policy.backoff, jitter=_ProportionalJitter())
    return [
        RateLimitErrorRetryHandler(max_retry_count=policy.retries),  # sleeps for Retry-After
        _ServerErrorRetry(max_retry_count=policy.retries, interval_calculator=backoff),
        ConnectionErrorRetryHandler(max_retry_count=policy.retries, interval_calculator=backoff),
    ]


_BAD_TOKEN = (
    "Slack rejected the bot token ({code}): "
    "set SLACK_BOT_TOKEN to the app's current bot token (xoxb-…)."
)
_BUG = (
    "Slack refused the message as malformed ({code}): "
    "this is a bug in monitor's Slack renderer, please report it."
)
_API_ERRORS: Mapping[str, str] = {
    "invalid_auth": _BAD_TOKEN,
    "not_authed": _BAD_TOKEN,
    "account_inactive": _BAD_TOKEN,
    "token_expired": _BAD_TOKEN,
    "token_revoked": "The Slack bot token was revoked ({code}): "
    "reinstall the app and set SLACK_BOT_TOKEN to its new token.",
    "missing_scope": "The Slack bot token lacks the chat:write scope ({code}): "
    "add the scope to the app and reinstall it.",
    "channel_not_found": "Slack has no channel {channel} that the bot can see ({code}): "
    "check slack_channel in the config (a private channel must invite the bot first).",
    "not_in_channel": "The bot is not a member of {channel} ({code}): "
    "invite it with /invite @{bot}.",
    "is_archived": "Slack channel {channel} is archived ({code}): "
    "unarchive it or set slack_channel to another channel.",
    "invalid_blocks": _BUG,
    "invalid_blocks_format": _BUG,
    "msg_blocks_too_long": _BUG,
    "msg_too_long": _BUG,
    "no_text": _BUG,
}
_WEBHOOK_GONE = (
    "The Slack incoming webhook no longer exists ({code}): "
    "create a new one in the Slack app and set SLACK_WEBHOOK_URL to its URL."
)
_WEBHOOK_ERRORS: Mapping[str, str] = {
    "no_service": _WEBHOOK_GONE,
    "no_team": _WEBHOOK_GONE,
    "invalid_token": "Slack rejected the incoming webhook URL ({code}): "
    "copy the webhook's current URL into SLACK_WEBHOOK_URL.",
    "channel_not_found": "The incoming webhook's channel no longer exists ({code}): "
    "create a webhook for another channel and set SLACK_WEBHOOK_URL to its URL.",
    "channel_is_archived": "The incoming webhook's channel is archived ({code}): "
    "unarchive it or create a webhook for another channel.",
    "action_prohibited": "The Slack workspace does not let this webhook post ({code}): "
    "ask a workspace admin to allow it.",
    "invalid_payload": _BUG,
    "invalid_blocks": _BUG,
    "invalid_blocks_format": _BUG,
    "msg_blocks_too_long": _BUG,
    "no_text": _BUG,
}


def _rate_limited(retries: int) -> SlackDeliveryError:
    return SlackDeliveryError(
        f"Slack kept rate-limiting the digest after {retries} retries: "
        "it will be sent on a later run.",
        transient=True,
        code="ratelimited",
    )


def _server_error(status: int, retries: int) -> SlackDeliveryError:
    return SlackDeliveryError(
        f"Slack answered HTTP {status} after {retries} retries: "
        "Slack is having trouble, so the digest will be sent on a later run.",
        transient=True,
        code=str(status),
    )


def _unreachable(host: str, err: Exception, retries: int) -> SlackDeliveryError:
    reason = getattr(err, "reason", None) or err.__class__.__name__
    return SlackDeliveryError(
        f"Could not reach Slack at {host} ({reason}) after {retries} retries: "
        "check the network, the proxy settings or SLACK_API_URL.",
        transient=True,
        code="unreachable",
    )


class BotSender:
    """Posts through the Web API's chat.postMessage with a bot token; replies thread by ts."""

    def __init__(
        self,
        token: str,
        *,
        base_url: str = DEFAULT_API_URL,
        policy: RetryPolicy = RetryPolicy(),
        proxy: str | None = None,
    ) -> None:
        self._client = WebClient(
            token=token,
            base_url=base_url,
            timeout=policy.timeout,
            logger=_LOG,
            retry_handlers=_retry_handlers(policy),
            proxy=proxy,
        )
        _decided(self._client, proxy)
        self._host = urlsplit(base_url).netloc or base_url
        self._retries = policy.retries
        self._ids: dict[str, str] = {}  # channel name -> id, as Slack answered

    def send(self, part: MessagePart, *, channel: str, thread_ts: str | None) -> str:
        """Post `part` to `channel` (in the thread of `thread_ts`) and return its ts."""
        try:
            response = self._client.chat_postMessage(
                # replies go to the channel id Slack gave part 1: a name may not take thread_ts
                channel=self._ids.get(channel, channel),
                text=part.text,
                blocks=list(part.blocks),
                thread_ts=thread_ts,
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as err:
            raise self._error(err, channel) from None
        except (OSError, SlackClientError) as err:
            raise _unreachable(self._host, err, self._retries) from None
        self._ids[channel] = str(response.get("channel") or channel)
        return str(response["ts"])

    def _error(self, err: SlackApiError, channel: str) -> SlackDeliveryError:
        status = err.response.status_code
        code = str(err.response.get("error", "")) if isinstance(err.response.data, dict) else ""
        if status == 429 or code in ("ratelimited", "rate_limited"):
            return _rate_limited(self._retries)
        if status >= 500 or code in ("internal_error", "fatal_error", "service_unavailable"):
            return _server_error(status, self._retries)
        template = _API_ERRORS.get(code)
        if template is None:
            return SlackDeliveryError(
                f"Slack refused the message ({code or status}): look the code up at "
                "https://docs.slack.dev/reference/methods/chat.postMessage and fix the cause.",
                transient=False,
                code=code,
            )
        bot = self._bot_name() if code == "not_in_channel" else ""
        return SlackDeliveryError(
            template.format(code=code, channel=channel, bot=bot), transient=False, code=code
        )

    def _bot_name(self) -> str:
        try:
            return str(self._client.auth_test().get("user") or "<bot name>")
        except (SlackClientError, OSError):
            return "<bot name>"


class WebhookSender:
    """Posts through an incoming webhook, which is bound to one channel and cannot thread."""

    def __init__(
        self, url: str, *, policy: RetryPolicy = RetryPolicy(), proxy: str | None = None
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            # never echo the URL: it is the webhook's only secret
            raise ConfigError(
                "SLACK_WEBHOOK_URL is not an http(s) URL: "
                "copy it from the Slack app's Incoming Webhooks page."
            )
        self._client = WebhookClient(
            url,
            timeout=policy.timeout,
            logger=_LOG,
            retry_handlers=_retry_handlers(policy),
            proxy=proxy,
        )
        _decided(self._client, proxy)
        self._host = parts.netloc
        self._retries = policy.retries

    def send(self, part: MessagePart, *, channel: str, thread_ts: str | None) -> str:
        """Post `part` to the webhook's channel; `channel` and `thread_ts` cannot apply."""
        try:
            response = self._client.send(
                text=part.text, blocks=list(part.blocks), unfurl_links=False, unfurl_media=False
            )
        except (OSError, SlackClientError) as err:
            raise _unreachable(self._host, err, self._retries) from None
        if response.status_code == 200:
            return WEBHOOK_TS
        raise self._error(response.status_code, " ".join(response.body.split())[:100])

    def _error(self, status: int, body: str) -> SlackDeliveryError:
        if status == 429:
            return _rate_limited(self._retries)
        if status >= 500:
            return _server_error(status, self._retries)
        code = body if body in _WEBHOOK_ERRORS else ("no_service" if status in (404, 410) else "")
        template = _WEBHOOK_ERRORS.get(code)
        if template is None:
            return SlackDeliveryError(
                f"Slack refused the webhook post (HTTP {status}, {body or 'no body'}): "
                "check SLACK_WEBHOOK_URL and the webhook's settings in the Slack app.",
                transient=False,
                code=str(status),
            )
        return SlackDeliveryError(template.format(code=code), transient=False, code=code)


def _decided(client: WebClient | WebhookClient, proxy: str | None) -> None:
    """Use the proxy the caller chose (curl's rules), or none: without one, slack_sdk would
    take HTTPS_PROXY from the environment even for a host that NO_PROXY names."""
    client.proxy = proxy


def send_parts(
    sender: Sender,
    parts: Sequence[MessagePart],
    *,
    channel: str,
    sent: Mapping[int, str] | None = None,
    on_sent: Callable[[MessagePart, str], None] | None = None,
) -> dict[int, str]:
    """Post the parts not already in `sent` (index -> ts), in order, threading under part 1.

    `on_sent` runs after each accepted part, so the caller can record it before the next
    one; a retry that passes those records back never re-posts an accepted part.
    """
    done = dict(sent or {})
    for part in parts:
        if part.index in done:
            continue
        ts = sender.send(part, channel=channel, thread_ts=done.get(1) if part.thread else None)
        done[part.index] = ts
        if on_sent is not None:
            on_sent(part, ts)
    return done
