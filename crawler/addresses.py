"""Which hosts are private: loopback, private, link-local and other non-public addresses.

A crawler fed links by the web must not be steered into the network it runs
in (a router's admin page, a cloud metadata service at 169.254.169.254, a
database on localhost). The rule is relative to the site being crawled: a
site that is itself on a private address (a test site, an intranet) may link
to others, a public site may not.

Only what the URL says is judged: IP literals in any notation browsers accept
(``10.0.0.1``, ``[::1]``, ``2130706433``, ``0x7f.1``) and names reserved for
local networks (``localhost``, ``*.local``, ``*.internal``, ...). A public name
that resolves to a private address is not caught here.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

LOCAL_NAMES = ("localhost",)
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")
LEGACY_IPV4 = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}$", re.IGNORECASE)
"""IPv4 in the forms inet_aton() accepts: 2130706433, 0x7f000001, 127.1, 0177.0.0.1."""


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    host = host.strip("[]")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if not LEGACY_IPV4.match(host):
            return None
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=1024)
def is_private_host(host: str) -> bool:
    """``host`` (a name or an IP literal) is not on the public internet (remembered: every request of a site asks again)."""
    host = host.lower().rstrip(".")
    if host in LOCAL_NAMES or host.endswith(LOCAL_SUFFIXES):
        return True
    address = _address(host)
    return address is not None and not address.is_global


def is_refused(url: str, site_hosts: Iterable[str]) -> bool:
    """A request to ``url`` must not be made: its host is private and the site's hosts are all public."""
    host = urlsplit(url).hostname or ""
    return is_private_host(host) and not any(is_private_host(site) for site in site_hosts)
