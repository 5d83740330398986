"""Decode a fetched page when its HTTP header and its ``<meta>`` tag disagree on the charset.

Browsers trust the header, so a server that says ``charset=utf-8`` in front of a page
written in Windows-1252 (or ``ISO-8859-1`` in front of UTF-8) shows up as garbled text
in every extractor that does the same. Here the declarations are tried against the bytes:
a byte-order mark wins; otherwise the first declared encoding that decodes the page
without error, UTF-8 first among them (bytes that are valid UTF-8 almost never are by
accident, while any bytes are "valid" Windows-1252); then UTF-8 and Windows-1252 even
if undeclared; as a last resort the first declaration, with replacement characters.
"""

from __future__ import annotations

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding

UTF8 = "utf-8"
WEB_DEFAULT = "cp1252"
"""What browsers assume for an undeclared or Latin-1 page (WHATWG: "windows-1252")."""


def _canonical(name: str | None) -> str | None:
    return resolve_encoding(name) if name else None


def decode_html(body: bytes, content_type: str | None) -> str:
    """The page ``body`` as text, the charset chosen as the module docstring says."""
    bom_encoding, bom = read_bom(body)
    if bom_encoding and bom:
        return body[len(bom) :].decode(bom_encoding, errors="replace")
    declared = [
        name
        for name in dict.fromkeys(
            [_canonical(http_content_type_encoding(content_type or "")), _canonical(html_body_declared_encoding(body))]
        )
        if name
    ]
    candidates = sorted(declared, key=lambda name: name != UTF8) + [UTF8, WEB_DEFAULT]
    for name in dict.fromkeys(candidates):
        try:
            return body.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode(declared[0] if declared else UTF8, errors="replace")
