"""Canonical form of article URLs: the one key under which the archive files an article.

Two URLs that differ only by tracking parameters, fragment, letter case of the
scheme or host, a default port, or the order of query parameters are the same
URL. The crawler canonicalises every request and item with this function and
the CLI canonicalises the URLs users type, so both always agree.

A crawl meets the same URL several times (a link on an index page, then the
page's own URL, its rel=canonical, its request): the last ``REMEMBERED_URLS``
answers are remembered.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url as w3lib_canonicalize_url

TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wickedid",
        "rb_clickid",
        "s_cid",
        "ref_src",
        "ref_url",
        "cmpid",
        "ncid",
        "sr_share",
        "spm",
        "share",
        "amp_js_v",
        "amp_gsa",
        "usqp",
    }
)
TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "hsa_", "at_", "__hs", "ito_", "itm_")
DEFAULT_PORTS = {"http": 80, "https": 443}
REMEMBERED_URLS = 4096


def is_tracking_parameter(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


@lru_cache(maxsize=REMEMBERED_URLS)
def canonicalize_url(url: str) -> str:
    """Return the canonical form of ``url`` (see module docstring).

    >>> canonicalize_url("HTTP://Example.COM:80/a/?b=2&utm_source=x&a=1#top")
    'http://example.com/a/?a=1&b=2'
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal: urlsplit drops its brackets
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    if parts.username or parts.password:
        netloc = f"{parts.username or ''}{':' + parts.password if parts.password else ''}@{netloc}"
    query = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_parameter(name)]
    path = parts.path or "/"
    cleaned = urlunsplit((scheme, netloc, path, urlencode(query), ""))
    return w3lib_canonicalize_url(cleaned)
