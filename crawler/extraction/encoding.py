"""Decode a fetched page when its HTTP header and its ``<meta>`` tag disagree on the charset.

Browsers trust the header, so a server that says ``charset=utf-8`` in front of a page
written in Windows-1252 (or ``ISO-8859-1`` in front of UTF-8) shows up as garbled text
in every extractor that does the same. Here the declarations are tried against the bytes:
a byte-order mark wins; otherwise UTF-8 if the page decodes as UTF-8 without error,
whatever is declared (bytes that are valid UTF-8 almost never are by accident, while any
bytes are "valid" Windows-1252, and a template that says ``iso-8859-15`` above a UTF-8
page is common); then the first declared encoding that decodes the page without error;
then Windows-1252 even if undeclared; as a last resort the first declaration, with
replacement characters.
A page declared UTF-8 that is UTF-8 but for a few stray bytes stays UTF-8 (a stray byte
becomes one replacement character rather than the whole page mojibake), and a ``<meta>``
naming UTF-16 or UTF-32 on a page without a byte-order mark means UTF-8, as in browsers.
"""

from __future__ import annotations

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding

UTF8 = "utf-8"
MAX_STRAY_SHARE = 0.1
"""A page declared UTF-8 stays UTF-8 if at most this share of its non-ASCII characters are undecodable."""
WEB_DEFAULT = "cp1252"
"""What browsers assume for an undeclared or Latin-1 page (WHATWG: "windows-1252")."""


def _canonical(name: str | None) -> str | None:
    resolved = resolve_encoding(name) if name else None
    return UTF8 if resolved and resolved.startswith(("utf-16", "utf-32")) else resolved


def _mostly_utf8(body: bytes) -> str | None:
    text = body.decode(UTF8, errors="replace")
    stray = text.count("\ufffd")
    non_ascii = sum(1 for character in text if ord(character) > 127)
    return text if stray <= MAX_STRAY_SHARE * non_ascii else None


def decode_html(body: bytes, content_type: str | None) -> str:
    """The page ``body`` as text, the charset chosen as the module docstring says."""
    bom_encoding, bom = read_bom(body)
    if bom_encoding and bom:
        return body[len(bom) :].decode(bom_encoding, errors="replace")
    declared = [
        name
        for name in dict.fromkeys([_canonical(http_content_type_encoding(content_type or "")), _canonical(html_body_declared_encoding(body))])
        if name
    ]
    candidates = [UTF8, *declared, WEB_DEFAULT]
    for name in dict.fromkeys(candidates):
        try:
            return body.decode(name)
        except (UnicodeDecodeError, LookupError):
            if name == UTF8 and UTF8 in declared and (text := _mostly_utf8(body)) is not None:
                return text
    return body.decode(declared[0] if declared else UTF8, errors="replace")
