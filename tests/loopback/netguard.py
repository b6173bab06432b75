"""Loopback only: a test that would resolve a public name or connect past 127.0.0.0/8 fails.

The suite's rule is that nothing leaves the machine, not even a DNS query for a made-up
host: decisions about other addresses are tested through an injected resolver. `install`
patches the socket module. tests/conftest.py installs it in the test process, and puts
this folder on PYTHONPATH so that `sitecustomize.py` installs it in every Python process a
test starts too (`monitor` in a subprocess). A test that needs the package index (the
Dockerfile replay's pip) starts pip without that PYTHONPATH.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path
from typing import Any

_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class OutsideLoopback(OSError):
    """Raised for a name lookup or a connection that would leave the machine."""


def _loopback(host: object) -> bool:
    if host is None:
        return True
    text = host.decode() if isinstance(host, bytes) else str(host)
    text = text.strip("[]").partition("%")[0].lower().rstrip(".")
    if text in LOCAL_NAMES or text.endswith(".localhost") or text == "":
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if not _loopback(host):
        raise OutsideLoopback(f"a test tried to resolve {host!r}: tests stay on loopback; "
                              "inject a resolver (tests/fakes.py) or use 127.0.0.1")
    return _real_getaddrinfo(host, *args, **kwargs)


def _check(sock: socket.socket, address: Any) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
        raise OutsideLoopback(f"a test tried to connect to {address[0]!r}: tests stay on "
                              "loopback")


def _connect(self: socket.socket, address: Any) -> None:
    _check(self, address)
    _real_connect(self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:
    _check(self, address)
    return _real_connect_ex(self, address)


def install() -> None:
    socket.getaddrinfo = _getaddrinfo
    socket.socket.connect = _connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]


def pythonpath(*first: str) -> str:
    """A PYTHONPATH for a child process: `first`, then this guard (so the child has it too)."""
    return os.pathsep.join((*first, str(Path(__file__).parent)))


def index_env() -> dict[str, str]:
    """An environment for pip: the package index is the one place a test may reach (CI
    allows it), so pip runs without the guard."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
