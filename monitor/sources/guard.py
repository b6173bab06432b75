"""The address guard: links from feeds may only lead to public http(s) addresses.

A feed is untrusted input, so an article link (or a redirect on the way) must not make us
request the cloud metadata service, the router or a database on the LAN. A URL passes
when its scheme is http(s) and EVERY address its host resolves to is public, or when its
origin (scheme, host and port) is a configured feed's own (a loopback test server, an
intranet feed a team chose on purpose): another port or scheme on that host is refused.
IPv6 forms that carry an IPv4 address (mapped, 6to4, Teredo, NAT64) are judged by the
IPv4 address inside.

Checking a name before connecting leaves a gap: the name is resolved again to connect,
and a hostile DNS server can answer with a public address first and a private one second
(DNS rebinding). `addresses` closes it: the fetcher's connections go only to the addresses
it returns, each checked, so the address checked is the address used.

Through a proxy, the proxy resolves names and connects. The guard still refuses literal
non-public addresses and names that resolve here to one; a name that does not resolve
here is the proxy's to resolve (a company network's internal DNS).
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterable
from typing import Protocol
from urllib.parse import urlsplit

from monitor.errors import BlockedURLError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Origin = tuple[str, str, int]  # (scheme, host, port)
SCHEMES = ("http", "https")
PORTS = {"http": 80, "https": 443}
CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: a network's own translator
METADATA = ipaddress.ip_address("169.254.169.254")
_NUMERIC_HOST = re.compile(r"^[0-9a-fx.]+$")
_UNPRINTABLE = re.compile(r"[\x00-\x20\x7f]")


class Resolver(Protocol):
    """Turns a host name into the addresses a connection would use."""

    async def resolve(self, host: str) -> list[str]: ...


class SystemResolver:
    """The operating system's resolver, as a connection would use it."""

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout

    async def resolve(self, host: str) -> list[str]:
        loop = asyncio.get_running_loop()
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, None, type=socket.SOCK_STREAM), self.timeout)
        return list(dict.fromkeys(str(info[4][0]) for info in infos))


class AddressGuard:
    """Refuse a URL unless it is http(s) to public addresses or to a configured feed's origin."""

    def __init__(self, allowed: Iterable[Origin | str], resolver: Resolver | None = None) -> None:
        """`allowed`: origins, as (scheme, host, port) or as http(s) URLs (their origin)."""
        origins = [(value, origin(value)) for value in allowed]
        wrong = [value for value, found in origins if found is None]
        if wrong:  # a bare host name once meant every port of that host
            raise ValueError(f"not an http(s) origin: {wrong[0]!r}")
        self.allowed = frozenset(found for _, found in origins if found is not None)
        self._sockets = frozenset((host, port) for _, host, port in self.allowed)
        self.resolver: Resolver = resolver if resolver is not None else SystemResolver()

    async def __call__(self, url: str, *, proxied: bool = False) -> None:
        """Raise BlockedURLError with a one-line reason when `url` must not be fetched.

        `proxied`: the request goes through a proxy, which resolves the name itself.
        """
        shown = shown_url(url)
        try:
            parts = urlsplit(url.strip())
            where = _origin_of(url)
        except ValueError:
            raise BlockedURLError(f"refused {shown}: it is not a valid URL") from None
        if parts.scheme.lower() not in SCHEMES:
            scheme = f"{parts.scheme.lower()[:20]}:" if parts.scheme else "a URL without a scheme"
            raise BlockedURLError(f"refused {shown}: only http and https links are fetched, "
                                  f"not {scheme}")
        if where is None:
            raise BlockedURLError(f"refused {shown}: the URL has no host")
        if where not in self.allowed:
            await self._public(where[1], shown, proxied)

    async def addresses(self, host: str, port: int) -> list[str]:
        """The addresses a connection to `host` may use, each checked; raises BlockedURLError.

        A connection sees a host and a port, not a scheme: a configured feed's host and
        port may resolve anywhere.
        """
        host = _normal_host(host)
        if (host, port) in self._sockets:
            literal = numeric_address(host)
            return [str(literal)] if literal else await self._resolve(host, host)
        return await self._public(host, host, proxied=False)

    async def _public(self, host: str, shown: str, proxied: bool) -> list[str]:
        literal = numeric_address(host)
        if literal is not None:
            reason = non_public(literal)
            if reason:
                raise BlockedURLError(f"refused {shown}: {unwrap(literal)} is {reason}")
            return [str(literal)]
        try:
            found = await self._resolve(host, shown)
        except BlockedURLError:
            if proxied:
                return []  # not a name here: the proxy resolves it
            raise
        for value in found:
            address = _parse(value)
            reason = non_public(address) if address else "not an IP address"
            if reason:
                named = unwrap(address) if address else value[:45]
                raise BlockedURLError(f"refused {shown}: its host resolves to {named}, {reason}")
        return found

    async def _resolve(self, host: str, shown: str) -> list[str]:
        try:
            found = await self.resolver.resolve(host)
        except (OSError, UnicodeError, ValueError, TimeoutError):
            found = []
        if not found:
            raise BlockedURLError(f"{shown}: the host name does not resolve (a typo in the URL, "
                                  "or no network)")
        return found


def origin(url: Origin | str) -> Origin | None:
    """(scheme, host, port) of an http(s) URL, the port filled in; None for others."""
    try:
        return _origin_of(url)
    except ValueError:
        return None


def _origin_of(value: Origin | str) -> Origin | None:
    if isinstance(value, tuple):
        scheme, host, port = value
        return scheme.lower(), _normal_host(host), port
    parts = urlsplit(value.strip())
    scheme, host = parts.scheme.lower(), _normal_host(parts.hostname or "")
    if scheme not in SCHEMES or not host:
        return None
    return scheme, host, parts.port or PORTS[scheme]


def non_public(address: IPAddress) -> str | None:
    """Why an address is not public (as "a private address"), or None when it is."""
    if address in LOCAL_NAT64:  # where the IPv4 address sits is the network's own choice
        return "a local-use NAT64 address"
    address = unwrap(address)
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address == METADATA:
        return "the cloud metadata address (link-local)"
    if address.is_link_local:
        return "a link-local address"
    if address.version == 4 and address in CGNAT:
        return "a carrier-grade NAT (shared) address"
    if address.is_multicast:
        return "a multicast address"
    if address.version == 6 and address.is_site_local:  # deprecated fec0::/10, still routed
        return "a site-local address"
    if address.is_reserved:  # before private: Python counts 240.0.0.0/4 as both
        return "a reserved address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "not a public address"
    return None


def unwrap(address: IPAddress) -> IPAddress:
    """The IPv4 address inside an IPv6 one that carries it: IPv4-mapped (::ffff:a.b.c.d),
    NAT64 (64:ff9b::/96), 6to4 (2002::/16) or Teredo (2001::/32, the client's address)."""
    if address.version == 6:
        assert isinstance(address, ipaddress.IPv6Address)
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if address.sixtofour is not None:
            return address.sixtofour
        if address.teredo is not None:
            return address.teredo[1]
    return address


def numeric_address(host: str) -> IPAddress | None:
    """The address a numeric host means, as the C resolver reads it (0x7f.1, 2130706433)."""
    address = _parse(host)
    if address is not None or not _NUMERIC_HOST.match(host):
        return address
    try:
        # inet_aton accepts the classic shorthand forms that getaddrinfo would connect to.
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _parse(value: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(value.partition("%")[0].strip("[]"))
    except ValueError:
        return None


def _normal_host(host: str) -> str:
    return host.strip().strip("[]").lower().rstrip(".")


def shown_url(url: str, limit: int = 80) -> str:
    """A URL for a message: one line, no password, not too long."""
    text = _UNPRINTABLE.sub("", url.strip())
    try:
        parts = urlsplit(text)
        if parts.password is not None or parts.username is not None:
            text = text.replace(parts.netloc, parts.netloc.rpartition("@")[2], 1)
    except ValueError:
        pass
    return text if len(text) <= limit else text[:limit - 1] + "…"


__all__ = ["AddressGuard", "Origin", "Resolver", "SystemResolver", "non_public",
           "numeric_address", "origin", "shown_url", "unwrap"]
