"""Raw pages: the bytes and response of each fetch a version was extracted from, stored content-addressed.

A page's bytes are compressed and filed under the SHA-256 of the uncompressed
bytes (``archive.compression``), so identical pages (the same page re-fetched,
a copy, a re-extraction) are stored once; a page the crawl's workers packed
already (``RawResponse.packed``) is not hashed or compressed again here. The
response keeps the final URL, the status and the headers a reader of the page
needs again. ``store_response`` records one fetch in a session's unit of work,
``insert_responses`` many at once, each page's bytes written once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, joinedload

from archive.compression import decompress_page, pack_page
from archive.models import PageResponse, RawPage, table
from archive.records import PackedPage, RawResponse

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


def kept_headers(raw: RawResponse) -> dict[str, str]:
    """The headers of ``raw`` that are stored with its page."""
    lowered = {name.lower(): value for name, value in raw.headers.items()}
    return {name: lowered[name] for name in KEPT_HEADERS if name in lowered}


def _response_values(raw: RawResponse, fetched_at: datetime) -> dict[str, Any]:
    return {"url": raw.url, "status": raw.status, "headers": kept_headers(raw), "fetched_at": fetched_at}


def _page_values(raw: RawResponse, packed: PackedPage) -> dict[str, Any]:
    return {"sha256": packed.sha256, "size": len(raw.body), "data": packed.data}


def store_response(session: Session, raw: RawResponse, fetched_at: datetime) -> PageResponse:
    """Record one fetch; its bytes are written only if no stored page has them already."""
    packed = raw.packed or pack_page(raw.body)
    page = session.get(RawPage, packed.sha256) or RawPage(**_page_values(raw, packed))
    response = PageResponse(**_response_values(raw, fetched_at), raw=page)
    session.add(response)
    return response


def insert_responses(session: Session, fetches: Sequence[tuple[RawResponse, datetime]]) -> list[int]:
    """Record these fetches with a few statements and return their response ids, in order.

    Writes past the session's unit of work: the caller flushes it first.
    """
    packed = [raw.packed or pack_page(raw.body) for raw, _ in fetches]
    stored = set(session.scalars(select(RawPage.sha256).where(RawPage.sha256.in_([page.sha256 for page in packed]))))
    pages = {page.sha256: _page_values(raw, page) for (raw, _), page in zip(fetches, packed, strict=True) if page.sha256 not in stored}
    if pages:
        session.execute(insert(table(RawPage)), list(pages.values()))
    responses = [_response_values(raw, fetched_at) | {"raw_sha256": page.sha256} for (raw, fetched_at), page in zip(fetches, packed, strict=True)]
    return list(session.scalars(insert(table(PageResponse)).returning(PageResponse.id, sort_by_parameter_order=True), responses))


WITH_PAGE = joinedload(PageResponse.raw).undefer(RawPage.data)
"""Loader option: read a response's stored page in the same query, for :func:`page_bytes`."""


def page_bytes(response: PageResponse) -> bytes:
    """The uncompressed bytes of the page ``response`` fetched."""
    return decompress_page(response.raw.data)
