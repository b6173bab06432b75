"""The address guard decides from an injected resolver; no test sends a packet past loopback.

Names resolve through `FakeResolver`; end-to-end cases use extra loopback addresses
(127.0.0.2, 127.0.0.3) as "other hosts", reached through the pinned transport so that
even the connection goes where the fake resolver says.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import pytest

from monitor.errors import BlockedURLError
from monitor.sources.fetch import Fetcher, FetchSettings
from monitor.sources.guard import (
    AddressGuard,
    SystemResolver,
    non_public,
    numeric_address,
    origin,
    shown_url,
)
from tests.fakes import FakeResolver
from tests.feedserver import FeedServer, Route

PUBLIC = "93.184.216.34"   # decided on, never connected to
FAST = FetchSettings(timeout=3.0, connect_timeout=1.0, max_bytes=64 * 1024)


NAMES: dict[str, list[list[str]] | list[str]] = {
    "news.example": [PUBLIC],
    "v6.example": ["2606:4700::1111"],
    "intranet.example": ["10.0.0.1"],
    "metadata.example": ["169.254.169.254"],
    "localhost": ["127.0.0.1", "::1"],
    "mixed.example": [PUBLIC, "10.0.0.1"],
    "mapped.example": ["::ffff:192.168.1.10"],
    "cgnat.example": ["100.64.3.4"],
    "weird.example": ["not-an-address"],
}

DECISIONS = [
    ("https://news.example/a/b?c=d", None),
    ("http://v6.example/", None),
    (f"http://{PUBLIC}:8080/x", None),
    ("http://[2606:4700::1111]/", None),
    ("https://intranet.example/admin", "its host resolves to 10.0.0.1, a private address"),
    ("http://metadata.example/latest/", "169.254.169.254, the cloud metadata address"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is the cloud metadata"),
    ("http://169.254.10.1/", "169.254.10.1 is a link-local address"),
    ("http://localhost:631/", "resolves to 127.0.0.1, a loopback address"),
    ("http://mixed.example/", "resolves to 10.0.0.1, a private address"),
    ("http://mapped.example/", "resolves to 192.168.1.10, a private address"),
    ("http://cgnat.example/", "100.64.3.4, a carrier-grade NAT"),
    ("http://weird.example/", "resolves to not-an-address, not an IP address"),
    ("http://127.0.0.1/", "127.0.0.1 is a loopback address"),
    ("http://127.9.9.9:8000/", "127.9.9.9 is a loopback address"),
    ("http://[::1]/", "::1 is a loopback address"),
    ("http://[::ffff:127.0.0.1]/", "127.0.0.1 is a loopback address"),
    ("http://[::ffff:a00:1]/", "10.0.0.1 is a private address"),
    ("http://[64:ff9b::a00:1]/", "10.0.0.1 is a private address"),
    ("http://[64:ff9b:1::a00:1]/", "is a local-use NAT64 address"),
    ("http://[64:ff9b:1:808:8:800::]/", "is a local-use NAT64 address"),
    ("http://[2002:a00:1::1]/", "10.0.0.1 is a private address"),          # 6to4
    ("http://[2002:7f00:1::]/", "127.0.0.1 is a loopback address"),
    ("http://[2002:a9fe:a9fe::]/", "169.254.169.254 is the cloud metadata"),
    ("http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/", "10.0.0.1 is a private address"),  # Teredo
    ("http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", "127.0.0.1 is a loopback address"),
    ("http://[2002:808:808::1]/", None),                                     # 6to4 of 8.8.8.8
    ("http://2130706433/", "127.0.0.1 is a loopback address"),
    ("http://0x7f.1/", "127.0.0.1 is a loopback address"),
    ("http://0177.0.0.1/", "127.0.0.1 is a loopback address"),
    ("http://127.1/", "127.0.0.1 is a loopback address"),
    ("http://0xa9fea9fe/", "169.254.169.254 is the cloud metadata"),
    ("http://0.0.0.0:8000/", "0.0.0.0 is the unspecified address"),
    ("http://[::]/", ":: is the unspecified address"),
    ("http://10.1.2.3/", "10.1.2.3 is a private address"),
    ("http://172.16.5.4/", "172.16.5.4 is a private address"),
    ("http://172.31.255.255/", "is a private address"),
    ("http://192.168.0.1/", "192.168.0.1 is a private address"),
    ("http://100.127.255.1/", "is a carrier-grade NAT"),
    ("http://[fc00::1]/", "fc00::1 is a private address"),
    ("http://[fd12:3456::1]/", "is a private address"),
    ("http://[fe80::1]/", "fe80::1 is a link-local address"),
    ("http://[fe80::1%25eth0]/", "is a link-local address"),
    ("http://224.0.0.251/", "224.0.0.251 is a multicast address"),
    ("http://[ff02::1]/", "is a multicast address"),
    ("http://240.0.0.1/", "240.0.0.1 is a reserved address"),
    ("http://[fec0::1]/", "fec0::1 is a site-local address"),
    ("http://198.18.0.1/", "198.18.0.1 is a private address"),
    ("file:///etc/passwd", "only http and https links are fetched, not file:"),
    ("FILE:///etc/passwd", "not file:"),
    ("ftp://news.example/pub/", "not ftp:"),
    ("gopher://news.example:70/", "not gopher:"),
    ("javascript:alert(1)", "not javascript:"),
    ("data:text/html,<p>hi</p>", "not data:"),
    ("//news.example/no-scheme", "not a URL without a scheme"),
    ("http:///only/a/path", "the URL has no host"),
    ("http://[::1/", "it is not a valid URL"),
    ("http://nowhere.example/", "the host name does not resolve"),
]


@pytest.mark.parametrize(("url", "refusal"), DECISIONS)
async def test_decisions(url: str, refusal: str | None) -> None:
    guard = AddressGuard(set(), FakeResolver({**NAMES}))
    if refusal is None:
        await guard(url)
        return
    with pytest.raises(BlockedURLError) as caught:
        await guard(url)
    message = str(caught.value)
    assert refusal in message
    # A refusal says so; a name that does not resolve is not refused, just unreachable.
    assert message.startswith(("refused ", url)) and "\n" not in message


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://2130706433/", "http://[::1]/", "http://10.0.0.1/",
])
async def test_literal_addresses_never_reach_the_resolver(url: str) -> None:
    resolver = FakeResolver({})
    with pytest.raises(BlockedURLError):
        await AddressGuard(set(), resolver)(url)
    assert resolver.calls == []


FEED = "http://127.0.0.1:8080/feed.xml"
INTRANET = "https://feeds.intranet.example/rss"


@pytest.mark.parametrize(("allowed", "url", "passes"), [
    ({FEED}, "http://127.0.0.1:8080/other/path", True),
    ({INTRANET}, "https://Feeds.Intranet.Example.:443/rss2", True),
    ({INTRANET.upper().replace("HTTPS", "https")}, "https://feeds.intranet.example/rss", True),
    ({"http://[::1]:8000/feed"}, "http://[::1]:8000/other", True),
    ({("http", "127.0.0.1", 8080)}, "http://127.0.0.1:8080/", True),
    ({FEED}, "http://127.0.0.1:9999/other-port", False),   # another port of the feed's host
    ({FEED}, "https://127.0.0.1:8080/", False),            # another scheme
    ({FEED}, "http://127.0.0.1/", False),                  # port 80, not 8080
    ({FEED}, "http://127.0.0.2:8080/", False),             # another loopback host
    ({FEED}, "http://2130706433:8080/", False),            # the same address, spelled otherwise
    ({FEED}, "http://localhost:8080/", False),
    ({INTRANET}, "http://feeds.intranet.example/rss", False),
    ({INTRANET}, "https://intranet.example/", False),
    ({INTRANET}, "file://feeds.intranet.example/etc/passwd", False),
])
async def test_configured_feed_origins_are_allowed(allowed: set[str], url: str,
                                                   passes: bool) -> None:
    resolver = FakeResolver({**NAMES, "feeds.intranet.example": ["10.9.9.9"]})
    guard = AddressGuard(allowed, resolver)
    if passes:
        await guard(url)
        assert resolver.calls == []  # an allowed origin needs no lookup before the request
    else:
        with pytest.raises(BlockedURLError):
            await guard(url)


def test_origins_fill_in_the_default_port() -> None:
    assert origin("https://Example.org./feed") == ("https", "example.org", 443)
    assert origin("http://[::1]/") == ("http", "::1", 80)
    assert origin("ftp://example.org/") is None and origin("http://[::1/") is None


async def test_connections_to_a_feeds_host_and_port_skip_the_check() -> None:
    guard = AddressGuard({INTRANET}, FakeResolver({"feeds.intranet.example": ["10.9.9.9"]}))
    assert await guard.addresses("feeds.intranet.example", 443) == ["10.9.9.9"]
    with pytest.raises(BlockedURLError, match=r"10\.9\.9\.9, a private address"):
        await guard.addresses("feeds.intranet.example", 8443)


@pytest.mark.parametrize(("url", "refusal"), [
    ("http://only-the-proxy.example/a", None),          # not a name here: the proxy's to resolve
    ("https://news.example/a", None),
    ("http://intranet.example/", "resolves to 10.0.0.1, a private address"),
    ("http://localhost:8080/", "resolves to 127.0.0.1, a loopback address"),
    ("http://10.1.2.3/", "10.1.2.3 is a private address"),
    ("http://[::1]/", "::1 is a loopback address"),
    ("http://169.254.169.254/latest/", "the cloud metadata address"),
    ("http://[2002:a00:1::1]/", "10.0.0.1 is a private address"),
    ("ftp://only-the-proxy.example/", "not ftp:"),
])
async def test_decisions_through_a_proxy(url: str, refusal: str | None) -> None:
    guard = AddressGuard(set(), FakeResolver({**NAMES}))
    if refusal is None:
        await guard(url, proxied=True)
        return
    with pytest.raises(BlockedURLError) as caught:
        await guard(url, proxied=True)
    assert refusal in str(caught.value)


async def test_a_resolver_failure_is_a_refusal() -> None:
    class Broken:
        async def resolve(self, host: str) -> list[str]:
            raise TimeoutError

    with pytest.raises(BlockedURLError, match="does not resolve"):
        await AddressGuard(set(), Broken())("https://slow.example/")


async def test_an_empty_answer_is_a_refusal() -> None:
    with pytest.raises(BlockedURLError, match="does not resolve"):
        await AddressGuard(set(), FakeResolver({"empty.example": []}))("http://empty.example/")


async def test_the_message_hides_credentials_and_stays_short() -> None:
    guard = AddressGuard(set(), FakeResolver({}))
    with pytest.raises(BlockedURLError) as caught:
        await guard("http://admin:hunter2@10.0.0.1/" + "a" * 300)
    message = str(caught.value)
    assert "hunter2" not in message and "admin" not in message
    assert len(message) < 160 and "…" in message


def test_shown_url() -> None:
    assert shown_url("http://u:p@host.example/x") == "http://host.example/x"
    assert shown_url("http://host.example/\r\nx") == "http://host.example/x"
    assert shown_url("http://h/" + "x" * 100, limit=20) == "http://h/xxxxxxxxxx…"


@pytest.mark.parametrize(("host", "address"), [
    ("2130706433", "127.0.0.1"), ("0x7f000001", "127.0.0.1"), ("0x7f.1", "127.0.0.1"),
    ("0177.0.0.01", "127.0.0.1"), ("127.1", "127.0.0.1"), ("10.1", "10.0.0.1"),
    ("::ffff:10.0.0.1", "::ffff:a00:1"), ("fe80::1%eth0", "fe80::1"),
    ("news.example", None), ("cafe.babe", None), ("deadbeef", None), ("1e1", None),
])
def test_numeric_hosts_are_read_like_the_c_resolver(host: str, address: str | None) -> None:
    parsed = numeric_address(host)
    assert (str(parsed) if parsed else None) == address


def test_non_public_covers_every_class() -> None:
    assert non_public(ipaddress.ip_address("8.8.8.8")) is None
    assert non_public(ipaddress.ip_address("2a00:1450::1")) is None
    for private in ("10.0.0.1", "172.16.0.1", "192.168.1.1", "fc00::1", "100.64.0.1",
                    "169.254.169.254", "fe80::1", "127.0.0.1", "::1", "0.0.0.0", "::",
                    "224.0.0.1", "ff02::1", "240.0.0.1", "::ffff:10.0.0.1", "192.0.2.1"):
        assert non_public(ipaddress.ip_address(private)) is not None, private


async def test_the_system_resolver_reads_numeric_hosts_without_dns() -> None:
    assert await SystemResolver().resolve("127.0.0.1") == ["127.0.0.1"]


# ---- end to end on loopback: the pinned transport connects only where the guard agreed


@pytest.fixture
def other_host() -> Iterator[FeedServer]:
    with FeedServer("127.0.0.2").serve() as server:
        yield server


@pytest.fixture
def third_host() -> Iterator[FeedServer]:
    with FeedServer("127.0.0.3").serve() as server:
        yield server


PAGE = b"<html><body><p>hello</p></body></html>"


async def _nothing() -> None:
    """A per-hop check that lets everything through: the connection must still refuse."""


async def test_pinned_connections_follow_the_checked_answer(other_host: FeedServer) -> None:
    other_host.routes["/page"] = Route(PAGE, content_type="text/html")
    resolver = FakeResolver({"news.test": ["127.0.0.2"]})
    guard = AddressGuard({f"http://news.test:{other_host.port}/feed"}, resolver)
    async with Fetcher(FAST, guard=guard) as fetcher:
        result = await fetcher.fetch(f"http://news.test:{other_host.port}/page")
    assert result.status == "ok" and result.body == PAGE
    assert resolver.calls == ["news.test"]  # the name was resolved once, by the connection
    assert other_host.hits("/page")[0].headers["host"] == f"news.test:{other_host.port}"


async def test_dns_rebinding_is_refused_at_connect(third_host: FeedServer) -> None:
    third_host.routes["/page"] = Route(PAGE, content_type="text/html")
    # The first answer (checked before the request) is public; the second (at connect) is not.
    resolver = FakeResolver({"rebind.test": [[PUBLIC], ["127.0.0.3"]]})
    guard = AddressGuard(set(), resolver)
    async with Fetcher(FAST, guard=guard) as fetcher:
        result = await fetcher.fetch(f"http://rebind.test:{third_host.port}/page")
    assert result.status == "error"
    assert "resolves to 127.0.0.3, a loopback address" in (result.error or "")
    assert resolver.calls == ["rebind.test", "rebind.test"]
    assert third_host.requests == []


async def test_pinning_refuses_a_redirect_the_check_let_through(
        feed_server: FeedServer, third_host: FeedServer) -> None:
    third_host.routes["/secret"] = Route(PAGE, content_type="text/html")
    feed_server.routes["/go"] = Route(status=302, redirect=third_host.url("/secret"))
    guard = AddressGuard({feed_server.url("/go")}, FakeResolver({}))
    async with Fetcher(FAST, guard=guard) as fetcher:
        result = await fetcher.fetch(feed_server.url("/go"), guard=lambda url: _nothing())
    assert result.status == "error" and "127.0.0.3 is a loopback address" in (result.error or "")
    assert len(feed_server.hits("/go")) == 1 and third_host.requests == []



def test_a_bare_host_is_not_an_origin() -> None:
    with pytest.raises(ValueError, match="not an http"):
        AddressGuard({"127.0.0.1"}, FakeResolver({}))
