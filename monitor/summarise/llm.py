"""Optional LLM summaries from any OpenAI-compatible chat-completions endpoint.

Every answer is checked before use: it must be well-formed, within the budget, and
name no number or capitalised name the article lacks. On any failure, and after the
per-run call cap, the fallback summariser's text is used and `Summary.note` says why.
The API key travels only in the Authorization header: never in a note or an error.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, MutableMapping, Sequence
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx

from monitor.errors import ConfigError, SummaryError
from monitor.model import Hit
from monitor.summarise.grounding import unsupported
from monitor.summarise.summary import Summariser, Summary

SYSTEM_PROMPT = (
    "You summarise news articles for a team's daily digest. Write a short, factual summary "
    "of the article the user gives, using only what that text states: no outside knowledge, "
    "no opinion, no speculation. Copy names and numbers exactly as the text writes them. "
    "Reply with the summary only, as plain sentences: no heading, no list, no quotation marks."
)
MAX_SOURCE_CHARS = 12_000  # enough for a news article; bounds the cost of a pathological page
MAX_RESPONSE_BYTES = 1_000_000  # a summary is a few hundred bytes; refuse to buffer a flood
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_LEAD_IN = re.compile(r"^(?:summary|here is (?:a|the) (?:short )?summary[^:\n]*)\s*:\s*", re.I)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+", re.MULTILINE)


class LLMSummariser:
    """Summaries from a chat-completions model, checked, cached, capped, with a fallback."""

    def __init__(
        self,
        url: str,
        model: str,
        api_key: str,
        *,
        timeout: float = 30.0,
        max_calls: int = 50,
        cache: MutableMapping[str, str],
        fallback: Summariser,
        transport: httpx.BaseTransport | None = None,
        proxy: str | None = None,
    ) -> None:
        self.endpoint = chat_url(url)
        self.model = model
        self.timeout = timeout
        self.max_calls = max_calls
        self.calls = 0
        self._cache = cache
        self._fallback = fallback
        self._redact = _redactor(api_key)
        # The proxy is decided by the caller, as for feeds (curl's rules); httpx's own
        # reading of the environment would differ (it also honours HTTP_PROXY).
        self._client = httpx.Client(
            transport=transport,
            proxy=proxy,
            trust_env=False,
            verify=httpx.create_ssl_context(),  # still honours SSL_CERT_FILE
            timeout=httpx.Timeout(timeout),
            headers=_headers(api_key),
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"LLMSummariser(endpoint={self.endpoint!r}, model={self.model!r}, api_key=***)"

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def __enter__(self) -> LLMSummariser:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def summarise(
        self,
        text: str,
        *,
        title: str = "",
        hits: Sequence[Hit] = (),
        sentences: int = 3,
        budget: int = 600,
    ) -> Summary:
        """The model's summary if it passes every check, else the fallback's with a note."""
        messages = build_messages(text, title, hits, sentences, budget)
        key = cache_key(self.model, messages)
        cached = self._cache.get(key)
        try:
            answer = self._ask(messages) if cached is None else cached
            checked = check_answer(answer, f"{title}\n{text}", budget)
        except SummaryError as err:
            return self._fall_back(err, text, title, hits, sentences, budget)
        if cached is None:
            self._cache[key] = checked  # only answers that passed every check are kept
        return Summary(checked, "llm")

    def ask(self, messages: list[dict[str, str]]) -> str:
        """One chat completion for `messages`, within this client's limits (timeout, size and
        call caps, key handling); SummaryError when it fails. `monitor facts` asks through it,
        so one configured client serves every feature."""
        return self._ask(messages)

    def _ask(self, messages: list[dict[str, str]]) -> str:
        if self.calls >= self.max_calls:
            raise SummaryError(f"the limit of {self.max_calls} LLM calls per run was reached")
        self.calls += 1
        payload = {"model": self.model, "messages": messages, "temperature": 0}
        try:
            with self._client.stream("POST", self.endpoint, json=payload) as response:
                if response.status_code >= 400:
                    raise SummaryError(_status_reason(response.status_code))
                body = _read_capped(response)
        except httpx.TimeoutException:
            raise SummaryError(f"the LLM request timed out after {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            name = type(exc).__name__
            raise SummaryError(f"the LLM endpoint could not be reached ({name})") from None
        return parse_answer(body)

    def _fall_back(
        self,
        err: SummaryError,
        text: str,
        title: str,
        hits: Sequence[Hit],
        sentences: int,
        budget: int,
    ) -> Summary:
        base = self._fallback.summarise(
            text, title=title, hits=hits, sentences=sentences, budget=budget
        )
        return Summary(base.text, base.method, self._redact(f"LLM summary not used: {err}."))


def chat_url(url: str) -> str:
    """The chat-completions URL for a base URL (".../v1") or the full endpoint URL."""
    base = url.strip().rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError("the LLM URL must be an http(s) URL such as https://host/v1")
    if base.endswith("/chat/completions"):
        return base
    if not parts.path:
        return base + "/v1/chat/completions"  # a bare host: the conventional OpenAI path
    return base + "/chat/completions"


def _redactor(api_key: str) -> Callable[[str], str]:
    """A function that masks the key in text (a model may echo it into a quoted answer)."""
    pattern = re.compile(re.escape(api_key.strip()), re.IGNORECASE) if api_key.strip() else None

    def redact(text: str) -> str:
        return pattern.sub("***", text) if pattern else text

    return redact


def _read_capped(response: httpx.Response) -> bytes:
    body = bytearray()
    for chunk in response.iter_bytes():
        body.extend(chunk)
        if len(body) > MAX_RESPONSE_BYTES:
            raise SummaryError(f"the LLM answer was larger than {MAX_RESPONSE_BYTES} bytes")
    return bytes(body)


def _headers(api_key: str) -> dict[str, str]:
    key = api_key.strip()
    if not key:
        return {}  # local servers often need no key
    if not key.isascii() or any(c.isspace() or ord(c) < 32 for c in key):
        # Say what is wrong without echoing any part of the key.
        raise ConfigError("the LLM API key contains characters an HTTP header cannot carry")
    return {"Authorization": f"Bearer {key}"}


def _status_reason(status: int) -> str:
    if status in (401, 403):
        return f"the LLM endpoint refused the API key (HTTP {status})"
    if status == 429:
        return "the LLM endpoint is rate-limiting requests (HTTP 429)"
    return f"the LLM endpoint answered HTTP {status}"


def build_messages(
    text: str, title: str, hits: Sequence[Hit], sentences: int, budget: int
) -> list[dict[str, str]]:
    """The chat messages: the instructions, then the article (title, text) to summarise."""
    focus = sorted({h.text.strip() for h in hits if h.group != -2 and h.text.strip()})
    ask = (
        f"Summarise the article below in at most {sentences} sentences and at most "
        f"{budget} characters."
    )
    if focus:
        ask += f" The reader follows: {', '.join(focus)}."
    body = text if len(text) <= MAX_SOURCE_CHARS else text[:MAX_SOURCE_CHARS].rsplit(" ", 1)[0]
    article = f"Title: {title.strip()}\n\n{body.strip()}" if title.strip() else body.strip()
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"{ask}\n\nArticle:\n{article}"},
    ]


def cache_key(model: str, messages: Sequence[dict[str, str]]) -> str:
    """sha256 of the model and the whole prompt (which carries the article text)."""
    digest = hashlib.sha256(model.encode("utf-8"))
    for message in messages:
        digest.update(b"\x00" + message["role"].encode() + b"\x00")
        digest.update(message["content"].encode("utf-8"))
    return digest.hexdigest()


def parse_answer(body: bytes) -> str:
    """The first choice's message content from a chat-completions response body."""
    try:
        data: Any = json.loads(body)
        content = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise SummaryError("the LLM answer was not a chat-completions response") from None
    if not isinstance(content, str):
        raise SummaryError("the LLM answer had no text content")
    return content


def check_answer(answer: str, source: str, budget: int) -> str:
    """The cleaned answer, or SummaryError saying why it cannot be used."""
    text = clean_answer(answer)
    if not text:
        raise SummaryError("the LLM answer was empty")
    if len(text) > budget:
        raise SummaryError(
            f"the LLM summary has {len(text)} characters, over the budget of {budget}"
        )
    missing = unsupported(text, source)
    if missing:
        shown = ", ".join(missing[:3])
        raise SummaryError(f"the LLM summary states {shown}, which the article does not")
    return text


def clean_answer(answer: str) -> str:
    """Plain text: reasoning blocks, lead-ins, bullets and wrapping quotes removed."""
    text = _THINK.sub("", answer).strip()
    text = _LEAD_IN.sub("", text)
    text = _BULLET.sub("", text)
    text = " ".join(text.split())
    if len(text) >= 2 and text[0] in "\"“'" and text[-1] in "\"”'":
        text = text[1:-1].strip()
    return text
