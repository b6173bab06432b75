"""The suite's loopback-only guard is on, here and in the processes tests start."""

from __future__ import annotations

import socket
import subprocess
import sys

import netguard
import pytest


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.3", "::1", "[::1]", "localhost",
                                  "app.localhost", b"127.0.0.1", None])
def test_loopback_hosts_pass(host: object) -> None:
    assert netguard._loopback(host)


@pytest.mark.parametrize("host", ["news.example", "10.0.0.1", "192.168.1.1", "169.254.169.254",
                                  "8.8.8.8", "::ffff:10.0.0.1", "fe80::1", "localhost.evil"])
def test_other_hosts_are_refused_before_anything_is_sent(host: str) -> None:
    # Only the decision is tested: the guard raises before the real resolver is called.
    assert not netguard._loopback(host)
    with pytest.raises(netguard.OutsideLoopback):
        netguard._getaddrinfo(host, 80)


def test_the_guard_is_installed_in_this_process_and_in_children() -> None:
    assert socket.getaddrinfo is netguard._getaddrinfo
    probe = "import socket; print(socket.getaddrinfo.__module__, socket.socket.connect.__module__)"
    child = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           check=True, timeout=60)
    assert child.stdout.split() == ["netguard", "netguard"]
