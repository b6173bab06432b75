"""Send rendered message parts to Slack with a bot token (Web API) or an incoming webhook.

A post is never retried blindly: a dropped connection, a timeout or a 5xx may come after
Slack accepted the message, so those raise an `uncertain` error and the outbox looks for
the part in the channel (`find`, by its message metadata) before it sends it again. Only
a 429 with a short Retry-After is waited out in place (Slack accepted nothing). Reads are
idempotent and keep slack_sdk's retry handlers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient

from monitor.deliver.slack import MessagePart
from monitor.deliver.slack_errors import (
    BUSY_CODES,
    UNCERTAIN_CODES,
    NoHistoryAccess,
    SlackDeliveryError,
    answer_lost,
    api_error,
    rate_limited,
    server_error,
    unreachable,
    webhook_error,
)
from monitor.deliver.slack_http import (
    DEFAULT_API_URL,
    DEFAULT_POLICY,
    LOG,
    PartKey,
    RetryPolicy,
    never_sent,
    post_handlers,
    reason_of,
    retry_after,
    scopes_of,
    web_client,
)
from monitor.deliver.slack_reads import SlackReader, is_channel_id
from monitor.errors import ConfigError

__all__ = ["DEFAULT_API_URL", "WEBHOOK_TS", "BotSender", "PartKey", "RetryPolicy", "Sender",
           "Sent", "SlackDeliveryError", "WebhookSender"]

WEBHOOK_TS = "webhook"  # webhooks answer "ok", never a message ts


@dataclass(frozen=True, slots=True)
class Sent:
    """Slack's answer to an accepted part."""

    ts: str
    channel_id: str = ""  # the channel's id, whatever name it was posted to ("" for a webhook)
    scopes: frozenset[str] | None = None  # the token's scopes (x-oauth-scopes), if Slack said


class Sender(Protocol):
    """Posts one message part; `verifiable` senders can also find a part already posted."""

    verifiable: bool

    def send(self, part: MessagePart, *, channel: str, thread_ts: str | None,
             key: PartKey) -> Sent: ...

    def find(self, key: PartKey, *, channel: str, thread_ts: str | None,
             around: datetime) -> Sent | None: ...


class BotSender:
    """Posts through the Web API's chat.postMessage with a bot token; replies thread by ts."""

    verifiable = True

    def __init__(self, token: str, *, base_url: str = DEFAULT_API_URL,
                 policy: RetryPolicy = DEFAULT_POLICY, proxy: str | None = None) -> None:
        self._client = web_client(token, base_url, policy, post_handlers(policy), proxy)
        self.reader = SlackReader(token, base_url=base_url, policy=policy, proxy=proxy)
        self._host = urlsplit(base_url).netloc or base_url
        self.labels: dict[str, str] = {}  # channel id -> as the config names it, for messages

    def send(self, part: MessagePart, *, channel: str, thread_ts: str | None,
             key: PartKey) -> Sent:
        """Post `part` to `channel` (an id, or a name) in the thread of `thread_ts`."""
        try:
            response = self._client.chat_postMessage(
                channel=channel, text=part.text, blocks=list(part.blocks), thread_ts=thread_ts,
                unfurl_links=False, unfurl_media=False, metadata=key.metadata())
        except SlackApiError as err:
            raise self._refused(err, channel) from None
        except (OSError, SlackClientError) as err:
            raise self._lost(err) from None
        return Sent(str(response["ts"]), str(response.get("channel") or ""),
                    scopes_of(response.headers))

    def find(self, key: PartKey, *, channel: str, thread_ts: str | None,
             around: datetime) -> Sent | None:
        """The part in the channel (or thread) if posted around `around`; None if absent."""
        channel_id = channel if is_channel_id(channel) else self._id_of(channel)
        if channel_id is None:
            return None  # no such channel: the part cannot be there
        ts = self.reader.find_part(key, channel=channel_id, thread_ts=thread_ts, around=around)
        return Sent(ts, channel_id) if ts else None

    def _id_of(self, name: str) -> str | None:
        try:
            info = self.reader.channel(name)
        except SlackDeliveryError as err:
            if err.code != "missing_scope":
                raise
            raise NoHistoryAccess(
                f"The bot may not look up the id of {name} (it lacks channels:read): delivery "
                "there is at-least-once until the scope is granted, or until slack_channel "
                "is the channel's id (C0…).", transient=False, code="missing_scope",
                subject="token") from None
        return info.id if info else None

    def _refused(self, err: SlackApiError, channel: str) -> SlackDeliveryError:
        status = err.response.status_code
        data = err.response.data if isinstance(err.response.data, dict) else {}
        code = str(data.get("error", ""))
        if status == 429 or code in BUSY_CODES - {"service_unavailable"}:
            return rate_limited(retry_after(err.response.headers))
        if status >= 500 or code in UNCERTAIN_CODES | {"service_unavailable"}:
            return server_error(status, uncertain=True)
        return api_error(code or str(status), channel=self.labels.get(channel, channel),
                         needed=str(data.get("needed", "")))

    def _lost(self, err: BaseException) -> SlackDeliveryError:
        where = f"Slack at {self._host}"
        if never_sent(err):
            return unreachable(where, reason_of(err), "SLACK_API_URL")
        return answer_lost(where, reason_of(err))


class WebhookSender:
    """Posts through an incoming webhook, which is bound to one channel and cannot thread.

    A webhook cannot be asked what it posted, so its delivery is at-least-once: a part
    whose answer was lost is sent again.
    """

    verifiable = False

    def __init__(self, url: str, *, policy: RetryPolicy = DEFAULT_POLICY,
                 proxy: str | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            # never echo the URL: it is the webhook's only secret
            raise ConfigError(
                "SLACK_WEBHOOK_URL is not an http(s) URL: "
                "copy it from the Slack app's Incoming Webhooks page."
            )
        self._client = WebhookClient(url, timeout=policy.timeout, logger=LOG,
                                     retry_handlers=post_handlers(policy), proxy=proxy)
        self._client.proxy = proxy  # as decided (see web_client), not slack_sdk's own pick
        self._host = parts.netloc

    def send(self, part: MessagePart, *, channel: str, thread_ts: str | None,
             key: PartKey) -> Sent:
        """Post `part` to the webhook's channel; `channel`, `thread_ts` and `key` cannot apply."""
        try:
            response = self._client.send(
                text=part.text, blocks=list(part.blocks), unfurl_links=False, unfurl_media=False
            )
        except (OSError, SlackClientError) as err:
            where = f"the Slack incoming webhook at {self._host}"
            if never_sent(err):
                raise unreachable(where, reason_of(err), "SLACK_WEBHOOK_URL") from None
            raise answer_lost(where, reason_of(err), can_check=False) from None
        if response.status_code == 200:
            return Sent(WEBHOOK_TS)
        raise self._error(response.status_code, " ".join(response.body.split())[:100],
                          response.headers)

    def find(self, key: PartKey, *, channel: str, thread_ts: str | None,
             around: datetime) -> Sent | None:
        raise NotImplementedError("an incoming webhook cannot be asked what it posted")

    def _error(self, status: int, body: str, headers: Mapping[str, Any]) -> SlackDeliveryError:
        if status == 429:
            return rate_limited(retry_after(headers))
        if status >= 500:
            return server_error(status, uncertain=True, can_check=False)
        return webhook_error(status, body)
