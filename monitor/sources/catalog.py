"""The shipped feed list: real, public feeds that cover AI infrastructure and compute."""

from __future__ import annotations

from monitor.model import Feed

DEFAULT_FEEDS: tuple[Feed, ...] = (
    # Data-centre trade press
    Feed("https://www.datacenterdynamics.com/en/rss/", "DatacenterDynamics"),
    Feed("https://www.datacenterknowledge.com/rss.xml", "Data Center Knowledge"),
    Feed("https://www.datacenterfrontier.com/rss", "Data Center Frontier"),
    # HPC and supercomputing
    Feed("https://www.hpcwire.com/feed/", "HPCwire"),
    Feed("https://insidehpc.com/feed/", "insideHPC"),
    Feed("https://www.top500.org/news/feed", "TOP500 News"),
    Feed("https://www.nextplatform.com/feed/", "The Next Platform"),
    # Chips and hardware
    Feed("https://www.servethehome.com/feed/", "ServeTheHome"),
    Feed("https://www.eetimes.com/feed/", "EE Times"),
    Feed("https://www.tomshardware.com/feeds/all", "Tom's Hardware"),
    Feed("https://blogs.nvidia.com/feed/", "NVIDIA Blog"),
    # EU policy and research infrastructure
    Feed("https://digital-strategy.ec.europa.eu/en/rss.xml", "EU Digital Strategy"),
    # Power for data centres
    Feed("https://www.utilitydive.com/feeds/news/", "Utility Dive"),
    # General technology news
    Feed("https://feeds.arstechnica.com/arstechnica/index", "Ars Technica"),
    Feed("https://www.theregister.com/headlines.atom", "The Register"),
    Feed("https://spectrum.ieee.org/feeds/feed.rss", "IEEE Spectrum"),
)
