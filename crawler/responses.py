"""What the spider reads off a response besides its body: headers, and the record of the page kept in the archive."""

from __future__ import annotations

from scrapy.http import Response

from archive.records import RawResponse


def header(response: Response, name: str) -> str | None:
    """The header ``name`` of ``response``, stripped; None when it is absent or empty."""
    value = response.headers.get(name)
    return value.decode("latin-1").strip() or None if value else None


def raw_response(response: Response) -> RawResponse:
    """The page as the server sent it (after transfer decoding), to be kept with the versions read from it."""
    return RawResponse(response.url, response.status, response.body, {str(k): v for k, v in response.headers.to_unicode_dict().items()})
