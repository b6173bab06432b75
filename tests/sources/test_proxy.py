"""Proxies as curl reads them, and every outbound request through a real loopback proxy.

The proxy (tests/proxyserver.py) speaks absolute-form GET and CONNECT, resolves a few fake
names that only it knows, and connects to loopback addresses only.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from click.testing import CliRunner

from monitor.cli import cli
from monitor.config import FullText, load_config
from monitor.deliver.slack import MessagePart
from monitor.deliver.slack_client import BotSender, RetryPolicy, WebhookSender
from monitor.deliver.slack_http import PartKey
from monitor.errors import ConfigError
from monitor.model import Feed
from monitor.pipeline import CycleOptions, scan_feeds
from monitor.posting import sender_for
from monitor.rules.load import load_rules_strict
from monitor.sources.fetch import Fetcher, FetchSettings
from monitor.sources.fulltext import feed_origins
from monitor.sources.guard import AddressGuard
from monitor.sources.proxy import Proxies, proxy_for
from monitor.summarise import ExtractiveSummariser, LLMSummariser
from tests.conftest import NOW
from tests.fakes import FakeResolver, in_thread
from tests.feedserver import FeedServer, Route, rss
from tests.proxyserver import proxying
from tests.slack_server import SlackServer
from tests.summarise.chat_server import ChatServer

PAGE = (Path(__file__).parent.parent / "data" / "pages" / "news.html").read_bytes()
FAST = FetchSettings(timeout=5.0, connect_timeout=2.0, read_timeout=2.0)


@pytest.mark.parametrize(("environ", "url", "proxy"), [
    ({"https_proxy": "http://p:3128"}, "https://a.example/", "http://p:3128"),
    ({"HTTPS_PROXY": "http://p:3128"}, "https://a.example/", "http://p:3128"),
    ({"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2"}, "https://a.example/",
     "http://lower:2"),
    ({"http_proxy": "http://p:3128"}, "http://a.example/", "http://p:3128"),
    ({"HTTP_PROXY": "http://p:3128"}, "http://a.example/", None),  # curl: lower case only
    ({"https_proxy": "http://p:3128"}, "http://a.example/", None),
    ({"ALL_PROXY": "http://all:8080"}, "http://a.example/", "http://all:8080"),
    ({"ALL_PROXY": "http://all:8080", "https_proxy": "http://p:1"}, "https://a.example/",
     "http://p:1"),
    ({"https_proxy": "proxy.corp"}, "https://a.example/", "http://proxy.corp:1080"),
    ({"https_proxy": "https://proxy.corp:8443"}, "https://a.example/", "https://proxy.corp:8443"),
    ({"https_proxy": "http://u:p@proxy.corp:3128"}, "https://a.example/",
     "http://u:p@proxy.corp:3128"),
    ({"https_proxy": "http://p:1", "no_proxy": "example.org"}, "https://example.org/", None),
    ({"https_proxy": "http://p:1", "NO_PROXY": "example.org"}, "https://news.example.org/",
     None),
    ({"https_proxy": "http://p:1", "no_proxy": ".example.org"}, "https://example.org/", None),
    ({"https_proxy": "http://p:1", "no_proxy": "example.org"}, "https://notexample.org/",
     "http://p:1"),
    ({"https_proxy": "http://p:1", "no_proxy": " a.test , 10.0.0.0/8"}, "https://10.1.2.3/",
     None),
    ({"https_proxy": "http://p:1", "no_proxy": "10.0.0.0/8"}, "https://11.1.2.3/",
     "http://p:1"),
    ({"https_proxy": "http://p:1", "no_proxy": "::1"}, "https://[::1]:8443/", None),
    ({"https_proxy": "http://p:1", "no_proxy": "*"}, "https://a.example/", None),
    ({"https_proxy": "   "}, "https://a.example/", None),
    ({}, "https://a.example/", None),
])
def test_proxies_are_read_as_curl_reads_them(environ: dict[str, str], url: str,
                                             proxy: str | None) -> None:
    assert Proxies.from_settings("", environ).for_url(url) == proxy


def test_a_configured_proxy_wins_and_no_proxy_still_applies() -> None:
    environ = {"https_proxy": "http://env:1", "no_proxy": "intranet.example"}
    proxies = Proxies.from_settings("http://configured:3128", environ)
    assert proxies.for_url("https://a.example/") == "http://configured:3128"
    assert proxies.for_url("http://a.example/") == "http://configured:3128"
    assert proxies.for_url("https://intranet.example/") is None
    assert proxy_for("https://slack.com/api/", "http://configured:3128", {}) == \
        "http://configured:3128"


@pytest.mark.parametrize("value", ["socks5://p:1080", "ftp://p", "http://p:notaport", "http://"])
def test_an_unusable_proxy_is_one_sentence(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Proxies.from_settings(value, {})
    assert "[fetch] proxy" in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(ConfigError, match=r"^https_proxy (must be|is not)"):
        Proxies.from_settings("", {"https_proxy": value})


# ---- end to end through the loopback proxy


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_server(ca: trustme.CA) -> Iterator[FeedServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("secure.proxy-only.test").configure_cert(context)
    with FeedServer(tls=context).serve() as server:
        yield server


def _names() -> dict[str, str]:
    return {"feeds.proxy-only.test": "127.0.0.1", "pages.proxy-only.test": "127.0.0.1",
            "secure.proxy-only.test": "127.0.0.1"}


async def test_a_scan_through_the_proxy_reaches_only_what_the_guard_allows(
        feed_server: FeedServer, tls_server: FeedServer, ca: trustme.CA, tmp_path: Path,
        rules_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # as a company's own CA is trusted
    port, secure = feed_server.port, tls_server.port
    items = [
        {"title": "Nordic operator plans AI data centre campus", "guid": "a",
         "link": f"http://pages.proxy-only.test:{port}/article", "description": "Plans."},
        {"title": "Secret AI data centre plans", "guid": "b",
         "link": "http://intranet.test/plans", "description": "Internal."},
        {"title": "Another AI data centre", "guid": "c",
         "link": "http://10.0.0.1/plans", "description": "Internal."},
    ]
    feed_server.routes["/feed"] = Route(rss(items))
    feed_server.routes["/article"] = Route(PAGE, content_type="text/html; charset=utf-8")
    tls_server.routes["/feed"] = Route(rss([{"title": "Over TLS", "guid": "t"}]))
    feeds = [Feed(f"http://feeds.proxy-only.test:{port}/feed"),
             Feed(f"https://secure.proxy-only.test:{secure}/feed")]
    # The guard's resolver knows intranet.test (a private address) and none of the names
    # only the proxy can resolve.
    resolver = FakeResolver({"intranet.test": ["10.0.0.1"]})
    async with proxying(_names()) as proxy:
        options = CycleOptions(guard=AddressGuard(feed_origins(feeds), resolver),
                               full_text=FullText(candidate_share=0.2))
        report = await scan_feeds(feeds, rules=load_rules_strict(rules_dir),
                                  settings=FetchSettings(proxy=proxy.url), store=None,
                                  now=NOW, options=options)
    assert [(f.status, f.items) for f in report.feeds] == [("ok", 3), ("ok", 1)]
    # Feeds are fetched concurrently, so only the set of request lines is fixed.
    assert sorted(proxy.seen) == [f"CONNECT secure.proxy-only.test:{secure} HTTP/1.1",
                                  f"GET http://feeds.proxy-only.test:{port}/feed HTTP/1.1",
                                  f"GET http://pages.proxy-only.test:{port}/article HTTP/1.1"]
    assert proxy.refused == []
    assert sorted(report.notes) == [
        "full text of http://10.0.0.1/plans: refused: 10.0.0.1 is a private address",
        "full text of http://intranet.test/plans: refused: its host resolves to 10.0.0.1, "
        "a private address"]
    item = next(i for i in report.items if i.article.uid and "Nordic" in i.article.title)
    assert item.article.content.startswith("A Nordic infrastructure company")
    assert tls_server.hits("/feed") and feed_server.hits("/article")


async def test_no_proxy_sends_a_host_direct(feed_server: FeedServer) -> None:
    feed_server.routes["/feed"] = Route(rss([]))
    async with proxying({}) as proxy:
        proxies = Proxies.from_settings(proxy.url, {"no_proxy": "127.0.0.0/8"})
        async with Fetcher(FAST, proxies=proxies) as fetcher:
            result = await fetcher.fetch(feed_server.url("/feed"))
    assert result.status == "ok" and proxy.seen == []


async def test_a_refusing_proxy_is_one_sentence(feed_server: FeedServer) -> None:
    # The proxy knows no names: it answers 403 to a CONNECT for one.
    async with proxying({}) as proxy, Fetcher(FAST, proxies=Proxies(https=proxy.url)) as f:
        result = await f.fetch("https://unknown.proxy-only.test/feed")
    assert result.status == "error" and "proxy" in (result.error or "")
    assert proxy.refused == ["unknown.proxy-only.test"]


def test_slack_and_the_llm_go_through_the_proxy() -> None:
    part = MessagePart(index=1, total=1, text="hello", blocks=())
    with SlackServer() as slack, ChatServer() as chat, in_thread(proxying({})) as proxy:
        bot = BotSender(slack.token, base_url=slack.api_url, proxy=proxy.url,
                        policy=RetryPolicy(retries=0, timeout=5))
        bot.send(part, channel="ai-infra", thread_ts=None, key=PartKey(1, "p1"))
        bot.reader.identity()  # what `monitor slack check` asks, through the same proxy
        hook = WebhookSender(slack.webhook_url, proxy=proxy.url,
                             policy=RetryPolicy(retries=0, timeout=5))
        hook.send(part, channel="", thread_ts=None, key=PartKey(1, "p2"))
        chat.answer("Northwind will build an AI data centre.")
        with LLMSummariser(chat.url, "m", "", cache={}, fallback=ExtractiveSummariser(),
                           proxy=proxy.url) as llm:
            llm.summarise("Northwind will build an AI data centre near Oslo.")
    methods = [line.split(" ", 2)[:2] for line in proxy.seen]
    assert [m for m, _ in methods] == ["POST"] * 4
    assert methods[0][1].startswith(slack.api_url) and methods[0][1].endswith("chat.postMessage")
    assert methods[1][1].endswith("auth.test")
    assert methods[2][1] == slack.webhook_url and methods[3][1].startswith(chat.url)
    assert len(slack.messages) == 2 and len(chat.requests) == 1


def test_the_configured_proxy_reaches_the_slack_sender(tmp_path: Path) -> None:
    part = MessagePart(index=1, total=1, text="hello", blocks=())
    with SlackServer() as slack, in_thread(proxying({})) as proxy:
        config_file = tmp_path / "monitor.toml"
        config_file.write_text(f'[fetch]\nproxy = "{proxy.url}"\nread_timeout = 3\n\n'
                               '[[channels]]\nname = "ai"\nslack_channel = "ai-infra"\n')
        config = load_config(str(config_file), {"SLACK_BOT_TOKEN": slack.token,
                                                "SLACK_API_URL": slack.api_url})
        assert (config.fetch.proxy, config.fetch.read_timeout) == (proxy.url, 3.0)
        sender = sender_for(config.channels[0], config)
        assert sender is not None
        sender.send(part, channel="ai-infra", thread_ts=None, key=PartKey(2, "p1"))
    assert [line.split(" ")[0] for line in proxy.seen] == ["POST"]
    assert len(slack.messages) == 1


def test_config_check_names_a_bad_proxy_at_its_line(tmp_path: Path) -> None:
    config_file = tmp_path / "monitor.toml"
    config_file.write_text('[fetch]\ntimeout = 5\nproxy = "socks5://proxy.corp:1080"\n')
    result = CliRunner().invoke(cli, ["config", "check", "--config", str(config_file)])
    assert result.exit_code == 1
    assert f"{config_file}:3: [fetch] proxy must be an http:// or https:// proxy URL" in \
        result.output
