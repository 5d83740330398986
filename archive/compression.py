"""How a stored page's bytes are kept: Zstandard-compressed, named by their SHA-256. No database code.

Zstandard (RFC 8878) keeps a page in about a fifth of its size and is several
times cheaper to compress than zlib for the same ratio. Pages stored by
earlier versions are zlib streams; :func:`decompress_page` reads both, telling
them apart by the Zstandard frame's magic number, which no zlib stream starts
with. Dependency-free but for ``zstandard``, so that the crawl's worker
processes pack each page they read (``pack_page``) and the crawl process does
not.
"""

from __future__ import annotations

import hashlib
import zlib

import zstandard

from archive.records import PackedPage

COMPRESSION_LEVEL = 3
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class CorruptPage(ValueError):
    """Stored page data that does not decompress."""


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


def pack_page(body: bytes) -> PackedPage:
    """``body`` as it is stored: its SHA-256 and its compressed bytes."""
    return PackedPage(hashlib.sha256(body).hexdigest(), compress_page(body))
