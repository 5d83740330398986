"""Raw pages: the bytes and response of each fetch a version was extracted from, stored content-addressed.

A page's bytes are zlib-compressed and filed under the SHA-256 of the
uncompressed bytes, so identical pages (the same page re-fetched, a copy, a
re-extraction) are stored once. The response keeps the final URL, the status
and the headers a reader of the page needs again.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, joinedload

from archive.models import PageResponse, RawPage

KEPT_HEADERS = (
    "content-type", "content-language", "date", "last-modified", "etag", "expires", "cache-control",
    "link", "x-robots-tag", "content-location",
)
"""Response headers kept with a page (lower case): how to decode it, when it was made, how to revalidate it."""
COMPRESSION_LEVEL = 6


@dataclass
class RawResponse:
    """A fetched page as the server sent it (after transfer decoding)."""

    url: str
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    def kept_headers(self) -> dict[str, str]:
        lowered = {name.lower(): value for name, value in self.headers.items()}
        return {name: lowered[name] for name in KEPT_HEADERS if name in lowered}


def store_response(session: Session, raw: RawResponse, fetched_at: datetime) -> PageResponse:
    """Record one fetch; its bytes are written only if no stored page has them already."""
    digest = hashlib.sha256(raw.body).hexdigest()
    page = session.get(RawPage, digest) or RawPage(
        sha256=digest, size=len(raw.body), data=zlib.compress(raw.body, COMPRESSION_LEVEL)
    )
    response = PageResponse(url=raw.url, status=raw.status, headers=raw.kept_headers(), fetched_at=fetched_at, raw=page)
    session.add(response)
    return response


WITH_PAGE = joinedload(PageResponse.raw).undefer(RawPage.data)
"""Loader option: read a response's stored page in the same query, for :func:`page_bytes`."""


def page_bytes(response: PageResponse) -> bytes:
    """The uncompressed bytes of the page ``response`` fetched."""
    return zlib.decompress(response.raw.data)
