"""Article identity: one canonical URL for the many links that lead to the same page."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that only say where a click came from; they never change the page.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
    "igshid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id",
    "vero_id", "vero_conv", "wt.mc_id", "ncid", "cmpid", "s_cid", "sr_share", "spm",
    "ref_src", "ref_url", "at_medium", "at_campaign", "at_custom1", "guccounter", "__s",
    "ito", "ocid", "cid_source",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str, base: str = "") -> str:
    """The canonical form of an http(s) URL; other strings come back stripped.

    Resolves against `base`, lower-cases scheme and host, drops default ports, the
    fragment and tracking parameters, sorts the remaining query, and gives an empty
    path as "/".
    """
    url = url.strip()
    if base:
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return url
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)
    )
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query, quote_via=quote), ""))


def is_http_url(value: str) -> bool:
    return urlsplit(value.strip()).scheme.lower() in DEFAULT_PORTS
