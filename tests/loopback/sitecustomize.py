"""Loaded by every Python process the tests start (PYTHONPATH): loopback only there too."""

import netguard

netguard.install()
