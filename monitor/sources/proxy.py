"""Which proxy a request goes through: `[fetch] proxy`, else the environment as curl reads it.

curl's rules, which most tools on a company network are set up for:
  - `http_proxy` (lower case only: `HTTP_PROXY` can be set by a web request in CGI
    programs) for http URLs, `HTTPS_PROXY` for https URLs, `ALL_PROXY` when the scheme's
    own is unset; for each, the lower-case name wins over the upper-case one;
  - `NO_PROXY`: a comma-separated list of host names (each also covers its subdomains; a
    leading dot is ignored), IP addresses or CIDR ranges; `*` alone means no proxy at all.
    It applies to a configured proxy too;
  - a proxy without a scheme is `http://`; without a port it is port 1080.
A configured `[fetch] proxy` is used for both schemes instead of the variables.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from monitor.errors import ConfigError

SCHEMES = ("http", "https")
DEFAULT_PORT = 1080


@dataclass(frozen=True, slots=True)
class Proxies:
    """The proxy for http and for https URLs ("" for none), and the hosts that bypass it."""

    http: str = ""
    https: str = ""
    no_proxy: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, configured: str = "",
                      environ: Mapping[str, str] | None = None) -> Proxies:
        """The configured proxy, else the environment's; raises ConfigError for a bad one."""
        env = os.environ if environ is None else environ

        def pick(*names: str) -> tuple[str, str]:
            if configured:
                return "[fetch] proxy", configured
            return _first(env, *names, "all_proxy", "ALL_PROXY")

        no_proxy = _first(env, "no_proxy", "NO_PROXY")[1]
        return cls(http=_normal(*pick("http_proxy")),
                   https=_normal(*pick("https_proxy", "HTTPS_PROXY")),
                   no_proxy=tuple(h for h in _split(no_proxy) if h))

    def for_url(self, url: str) -> str | None:
        """The proxy URL to send `url` through, or None to connect directly."""
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").rstrip(".")
        except ValueError:
            return None
        proxy = {"http": self.http, "https": self.https}.get(parts.scheme.lower(), "")
        if not proxy or not host or any(_bypasses(entry, host) for entry in self.no_proxy):
            return None
        return proxy

    @property
    def any(self) -> bool:
        return bool(self.http or self.https)


def proxy_for(url: str, configured: str = "", environ: Mapping[str, str] | None = None
              ) -> str | None:
    """The proxy for one URL (Slack's, the LLM's), or None to connect directly."""
    return Proxies.from_settings(configured, environ).for_url(url)


def _first(env: Mapping[str, str], *names: str) -> tuple[str, str]:
    """(name, value) of the first variable set to something, or ("", "")."""
    for name in names:
        if env.get(name, "").strip():
            return name, env[name].strip()
    return "", ""


def _split(value: str) -> list[str]:
    return [entry.strip().lower().lstrip(".").rstrip(".") for entry in value.split(",")]


def _normal(where: str, proxy: str) -> str:
    """`host:port` -> `http://host:port`; a port is always given; ConfigError if unusable."""
    if not proxy:
        return ""
    text = proxy if "://" in proxy else f"http://{proxy}"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ConfigError(f"{where} is not a valid proxy URL; write it as "
                          "http://host:port") from None
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise ConfigError(f"{where} must be an http:// or https:// proxy URL with a host, "
                          f"not {parts.scheme or 'a bare name'}://; SOCKS proxies are not "
                          "supported")
    if port is None:
        netloc = parts.netloc + f":{DEFAULT_PORT}"
        text = parts._replace(netloc=netloc).geturl()
    return text


def _bypasses(entry: str, host: str) -> bool:
    """Whether one NO_PROXY entry covers `host`, as curl matches them."""
    host = host.lower().strip("[]")
    if entry == "*":
        return True
    entry = entry.strip("[]")
    try:
        network = ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return host == entry or host.endswith("." + entry)
    try:
        return ipaddress.ip_address(host) in network
    except ValueError:
        return False


__all__ = ["DEFAULT_PORT", "Proxies", "proxy_for"]
