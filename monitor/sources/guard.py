"""The address guard: links from feeds may only lead to public http(s) addresses.

A feed is untrusted input, so an article link (or a redirect on the way) must not make us
request the cloud metadata service, the router or a database on the LAN. A URL passes
when its scheme is http(s) and EVERY address its host resolves to is public, or when its
host is one a configured feed lives on (a loopback test server, an intranet feed a team
chose on purpose).

Checking a name before connecting leaves a gap: httpx resolves the name again, and a
hostile DNS server can answer with a public address first and a private one second
(DNS rebinding). `pinned_transport` closes it: its connections go only to addresses the
guard has just checked, so the address checked is the address used.
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
from monitor.sources.transport import LeanTransport

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SCHEMES = ("http", "https")
CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
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
    """Refuse a URL unless it is http(s) to public addresses or to a configured feed's host."""

    def __init__(self, allowed_hosts: Iterable[str], resolver: Resolver | None = None) -> None:
        self.allowed_hosts = frozenset(_normal_host(host) for host in allowed_hosts)
        self.resolver: Resolver = resolver if resolver is not None else SystemResolver()

    async def __call__(self, url: str) -> None:
        """Raise BlockedURLError with a one-line reason when `url` must not be fetched."""
        shown = shown_url(url)
        try:
            parts = urlsplit(url.strip())
            host = _normal_host(parts.hostname or "")
        except ValueError:
            raise BlockedURLError(f"refused {shown}: it is not a valid URL") from None
        if parts.scheme.lower() not in SCHEMES:
            scheme = f"{parts.scheme.lower()[:20]}:" if parts.scheme else "a URL without a scheme"
            raise BlockedURLError(f"refused {shown}: only http and https links are fetched, "
                                  f"not {scheme}")
        if not host:
            raise BlockedURLError(f"refused {shown}: the URL has no host")
        if host not in self.allowed_hosts:
            await self._public(host, shown)

    async def addresses(self, host: str) -> list[str]:
        """The addresses a connection to `host` may use, each checked; raises BlockedURLError."""
        host = _normal_host(host)
        if host in self.allowed_hosts:
            literal = numeric_address(host)
            return [str(literal)] if literal else await self._resolve(host, host)
        return await self._public(host, host)

    async def _public(self, host: str, shown: str) -> list[str]:
        literal = numeric_address(host)
        if literal is not None:
            reason = non_public(literal)
            if reason:
                raise BlockedURLError(f"refused {shown}: {unwrap(literal)} is {reason}")
            return [str(literal)]
        found = await self._resolve(host, shown)
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


def non_public(address: IPAddress) -> str | None:
    """Why an address is not public (as "a private address"), or None when it is."""
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
    """The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 IPv6 address."""
    if address.version == 6:
        assert isinstance(address, ipaddress.IPv6Address)
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
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


def pinned_transport(guard: AddressGuard, connect_timeout: float = 10.0) -> LeanTransport:
    """A transport whose every connection goes only to addresses the guard has just checked.

    Pass it as `Fetcher(settings, transport=...)`. The host name is resolved once, at
    connect time, through the guard, so the answer that was checked is the one used; TLS
    still verifies the certificate against the host name. No proxies are used.
    """
    return LeanTransport(connect_timeout=connect_timeout, resolve=guard.addresses)


__all__ = ["AddressGuard", "Resolver", "SystemResolver", "non_public",
           "numeric_address", "pinned_transport", "shown_url", "unwrap"]
