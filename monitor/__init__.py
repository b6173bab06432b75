"""monitor: watch news feeds for AI infrastructure and compute, and post digests to Slack."""

__version__ = "0.1.0"
