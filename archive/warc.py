"""Write the archive's raw pages as a WARC file (ISO 28500) that other web-archive tools read.

One ``response`` record per stored fetch: the final URL, the fetch time, the
HTTP status line and the kept headers, and the page bytes as stored. A
re-extracted version shares its fetch with the version it re-read, so it adds
no record. ``gzip`` compresses record by record, as ``.warc.gz`` readers expect.
"""

from __future__ import annotations

import io
from http import HTTPStatus
from typing import IO, Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped]
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

from archive.compression import CorruptPage
from archive.models import Article, PageResponse, Snapshot
from archive.progress import SILENT, Progress
from archive.queries import is_latest_version
from archive.rawpages import WITH_PAGE, page_bytes

SOFTWARE = "technews-archive"


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def write_warc(
    session: Session, out: IO[bytes], gzip: bool, site: str | None = None, all_versions: bool = False, progress: Progress = SILENT
) -> list[str]:
    """Write the fetches behind the selected versions (latest unless ``all_versions``); the URLs of those left out
    because their stored page does not decompress (``archive check`` reports them)."""
    writer = WARCWriter(out, gzip=gzip, warc_version="1.1")
    writer.write_record(writer.create_warcinfo_record("archive.warc", {"software": SOFTWARE, "format": "WARC/1.1"}))
    query = (
        select(PageResponse)
        .where(PageResponse.id.in_(_selected_responses(site, all_versions)))
        .options(WITH_PAGE)
        .order_by(PageResponse.id)
        .execution_options(yield_per=200)
    )
    unreadable: list[str] = []
    progress.start(session.scalar(select(func.count()).where(PageResponse.id.in_(_selected_responses(site, all_versions)))))
    for response in session.scalars(query):
        progress.advance()
        try:
            body = page_bytes(response)
        except CorruptPage:
            unreadable.append(response.url)
            continue
        headers = [(name.title(), value) for name, value in response.headers.items()]
        http_headers = StatusAndHeaders(_status_line(response.status), headers, protocol="HTTP/1.1")
        record = writer.create_warc_record(
            response.url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": response.fetched_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")},
        )
        writer.write_record(record)
    return unreadable


def _selected_responses(site: str | None, all_versions: bool) -> Select[Any]:
    query = select(Snapshot.response_id).join(Article, Article.id == Snapshot.article_id).where(Snapshot.response_id.is_not(None))
    if not all_versions:
        query = query.where(is_latest_version())
    if site:
        query = query.where(Article.site == site)
    return query
