"""Raw pages: the bytes and response of each fetch a version was extracted from, stored content-addressed.

A page's bytes are Zstandard-compressed (RFC 8878; about a fifth of their
size, and several times cheaper to compress than zlib for the same ratio) and
filed under the SHA-256 of the uncompressed bytes, so identical pages (the same
page re-fetched, a copy, a re-extraction) are stored once. Pages stored by
earlier versions are zlib streams; :func:`decompress_page` reads both, telling
them apart by the Zstandard frame's magic number, which no zlib stream starts
with. The response keeps the final URL, the status and the headers a reader
of the page needs again.
"""

from __future__ import annotations

import hashlib
import zlib
from datetime import datetime

import zstandard
from sqlalchemy.orm import Session, joinedload

from archive.models import PageResponse, RawPage
from archive.records import RawResponse

KEPT_HEADERS = (
    "content-type",
    "content-language",
    "date",
    "last-modified",
    "etag",
    "expires",
    "cache-control",
    "link",
    "x-robots-tag",
    "content-location",
)
"""Response headers kept with a page (lower case): how to decode it, when it was made, how to revalidate it."""
COMPRESSION_LEVEL = 3
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class CorruptPage(ValueError):
    """Stored page data that does not decompress."""


def kept_headers(raw: RawResponse) -> dict[str, str]:
    """The headers of ``raw`` that are stored with its page."""
    lowered = {name.lower(): value for name, value in raw.headers.items()}
    return {name: lowered[name] for name in KEPT_HEADERS if name in lowered}


def compress_page(body: bytes) -> bytes:
    """``body`` as a Zstandard frame (recording its size, which :func:`decompress_page` relies on)."""
    return zstandard.ZstdCompressor(level=COMPRESSION_LEVEL).compress(body)


def decompress_page(data: bytes) -> bytes:
    """The bytes of a stored page: a Zstandard frame, or a zlib stream of an earlier version; raises :class:`CorruptPage`."""
    try:
        if data.startswith(ZSTD_MAGIC):
            return zstandard.ZstdDecompressor().decompress(data)
        return zlib.decompress(data)
    except (zstandard.ZstdError, zlib.error) as error:
        raise CorruptPage(str(error)) from error


def store_response(session: Session, raw: RawResponse, fetched_at: datetime) -> PageResponse:
    """Record one fetch; its bytes are written only if no stored page has them already."""
    digest = hashlib.sha256(raw.body).hexdigest()
    page = session.get(RawPage, digest) or RawPage(sha256=digest, size=len(raw.body), data=compress_page(raw.body))
    response = PageResponse(url=raw.url, status=raw.status, headers=kept_headers(raw), fetched_at=fetched_at, raw=page)
    session.add(response)
    return response


WITH_PAGE = joinedload(PageResponse.raw).undefer(RawPage.data)
"""Loader option: read a response's stored page in the same query, for :func:`page_bytes`."""


def page_bytes(response: PageResponse) -> bytes:
    """The uncompressed bytes of the page ``response`` fetched."""
    return decompress_page(response.raw.data)
