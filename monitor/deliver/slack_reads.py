"""Reading from Slack with a bot token: who the token is, what a channel is, and whether a
part of a digest is already in a channel (found by its message metadata).

Reads are safe to repeat, so they keep slack_sdk's retry handlers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import SlackResponse

from monitor.deliver.slack_errors import (
    BUSY_CODES,
    UNCERTAIN_CODES,
    NoHistoryAccess,
    SlackDeliveryError,
    api_error,
    rate_limited,
    server_error,
    unreachable,
)
from monitor.deliver.slack_http import (
    DEFAULT_API_URL,
    DEFAULT_POLICY,
    PartKey,
    RetryPolicy,
    read_handlers,
    reason_of,
    retry_after,
    scopes_of,
    web_client,
)

# A part's ts is Slack's clock when it accepted the post: a little before our record of the
# attempt if the clocks differ, up to a slow answer's length after it.
LOOK_BEFORE = timedelta(minutes=5)
LOOK_AFTER = timedelta(minutes=15)
MAX_PAGES = 10
PAGE = 200
_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")


def is_channel_id(value: str) -> bool:
    """C0123ABCD (a channel), G… (an older private channel) or D… (a direct message)."""
    return bool(_ID.match(value))


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    id: str
    name: str
    private: bool
    archived: bool
    member: bool


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the token is (auth.test), and its scopes."""

    user: str
    team: str
    scopes: frozenset[str] | None


class SlackReader:
    """Web API reads with a bot token."""

    def __init__(self, token: str, *, base_url: str = DEFAULT_API_URL,
                 policy: RetryPolicy = DEFAULT_POLICY, proxy: str | None = None) -> None:
        self._client = web_client(token, base_url, policy, read_handlers(policy), proxy)
        self._host = urlsplit(base_url).netloc or base_url
        self.scopes: frozenset[str] | None = None  # as Slack's last answer gave them
        self._truncated = False

    def identity(self) -> Identity:
        response = self._call(self._client.auth_test, "")
        return Identity(str(response.get("user") or ""), str(response.get("team") or ""),
                        scopes_of(response.headers))

    def find_part(self, key: PartKey, *, channel: str, thread_ts: str | None,
                  around: datetime) -> str | None:
        """The ts of the part posted around `around` in the channel (or thread); None if absent."""
        args: dict[str, Any] = {
            "channel": channel, "include_all_metadata": True, "inclusive": True, "limit": PAGE,
            "oldest": f"{(around - LOOK_BEFORE).timestamp():.6f}",
            "latest": f"{(around + LOOK_AFTER).timestamp():.6f}"}
        method: Callable[..., SlackResponse] = self._client.conversations_history
        if thread_ts:
            method, args["ts"] = self._client.conversations_replies, thread_ts
        try:
            for message in self._pages(method, channel, "messages", args):
                if key.matches(message):
                    return str(message["ts"])
        except SlackDeliveryError as err:
            if err.code == "missing_scope":
                raise _no_history(channel, err) from None
            raise
        return None

    def permalink(self, channel: str, ts: str) -> str | None:
        """The link to a message (chat.getPermalink); None when it is gone."""
        try:
            response = self._call(self._client.chat_getPermalink, channel, channel=channel,
                                  message_ts=ts)
        except SlackDeliveryError as err:
            if err.code in ("message_not_found", "channel_not_found"):
                return None
            raise
        return str(response.get("permalink") or "") or None

    def channel(self, name_or_id: str) -> ChannelInfo | None:
        """What Slack knows of a channel given by id or name; None when there is none."""
        wanted = name_or_id.removeprefix("#")
        if is_channel_id(wanted):
            try:
                response = self._call(self._client.conversations_info, wanted, channel=wanted)
            except SlackDeliveryError as err:
                if err.code == "channel_not_found":
                    return None
                raise
            return _info(response["channel"])
        for found in self._listed(name_or_id):
            if str(found.get("name", "")).casefold() == wanted.casefold():
                return _info(found)
        if self._truncated:
            raise SlackDeliveryError(
                f"{name_or_id} is not among the first {MAX_PAGES * 1000:,} channels the bot "
                "can see: set slack_channel to the channel's id (C0…, in its details) instead "
                "of its name.", transient=True, code="too_many_channels")
        return None

    def _listed(self, name: str) -> Iterator[dict[str, Any]]:
        args: dict[str, Any] = {"types": "public_channel,private_channel", "limit": 1000}
        try:
            yield from self._pages(self._client.conversations_list, name, "channels", args)
        except SlackDeliveryError as err:
            if err.code != "missing_scope" or "groups:read" not in str(err):
                raise
            # without groups:read the bot sees public channels only
            args["types"] = "public_channel"
            yield from self._pages(self._client.conversations_list, name, "channels", args)

    def _pages(self, method: Callable[..., SlackResponse], channel: str, key: str,
               args: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The items of up to MAX_PAGES pages; `_truncated` says whether more were left."""
        cursor, self._truncated = "", False
        for _ in range(MAX_PAGES):
            response = self._call(method, channel, **args, **({"cursor": cursor} if cursor else {}))
            yield from response.get(key) or []
            cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                return
        self._truncated = True

    def _call(self, method: Callable[..., SlackResponse], about: str,
              **args: Any) -> SlackResponse:
        """One read; an error becomes a SlackDeliveryError about the channel `about`."""
        try:
            response = method(**args)
        except SlackApiError as err:
            self.scopes = scopes_of(err.response.headers) or self.scopes
            status = err.response.status_code
            data = err.response.data if isinstance(err.response.data, dict) else {}
            code = str(data.get("error", ""))
            if status == 429 or code in BUSY_CODES:
                raise rate_limited(retry_after(err.response.headers)) from None
            if status >= 500 or code in UNCERTAIN_CODES:
                raise server_error(status, uncertain=False) from None
            raise api_error(code or str(status), channel=about,
                            needed=str(data.get("needed", ""))) from None
        except (OSError, SlackClientError) as err:
            raise unreachable(f"Slack at {self._host}", reason_of(err), "SLACK_API_URL") from None
        self.scopes = scopes_of(response.headers) or self.scopes
        return response


def channel_problem(info: ChannelInfo | None, target: str,
                    bot: str = "") -> SlackDeliveryError | None:
    """Why the bot cannot post to a channel as Slack describes it; None when it can."""
    if info is None:
        return api_error("channel_not_found", channel=target)
    if info.archived:
        return api_error("is_archived", channel=target)
    if not info.member:
        return api_error("not_in_channel", channel=target, bot=bot)
    return None


def _info(data: dict[str, Any]) -> ChannelInfo:
    return ChannelInfo(str(data.get("id", "")), str(data.get("name", "")),
                       bool(data.get("is_private")), bool(data.get("is_archived")),
                       bool(data.get("is_member")))


def _no_history(channel: str, err: SlackDeliveryError) -> NoHistoryAccess:
    needed = "groups:history" if "groups:history" in str(err) else "channels:history"
    return NoHistoryAccess(
        f"The bot may not read the history of {channel} (it lacks {needed}): delivery there "
        "is at-least-once until the scope is granted; add it to the app (slack/manifest.yaml) "
        "and reinstall the app.", transient=False, code="missing_scope", subject="token")
