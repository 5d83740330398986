"""Normalised article text and the hashes that decide whether an article changed.

Only the article itself counts: the title and the clean body text, with
whitespace, Unicode composition and invisible characters normalised away, so
that a page re-rendered with other markup, spacing or chrome hashes the same.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

INVISIBLE_CHARACTERS = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
UNSTORABLE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
MIN_DUPLICATE_BODY_CHARS = 500
"""Bodies shorter than this are too generic to prove by themselves that two URLs hold one article (with the same title they do)."""


def storable_text(text: str) -> str:
    """Text without NUL bytes and lone surrogates, which no database stores faithfully."""
    try:
        text.encode()  # a few times faster than looking for surrogates with a regex: only a lone one fails
    except UnicodeEncodeError:
        return UNSTORABLE_CHARACTERS.sub("", text)
    return text.replace("\x00", "")


def normalise_text(text: str) -> str:
    """One line of text: NFC, invisible characters removed, runs of whitespace (Unicode's, ``str.isspace``) folded."""
    text = unicodedata.normalize("NFC", storable_text(text))
    return " ".join(INVISIBLE_CHARACTERS.sub("", text).split())


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def page_hashes(title: str, body_text: str) -> tuple[str, str]:
    """The content hash (of normalised title and body: a new snapshot is written when it differs) and the
    body hash (of the normalised body alone: finds the same article under another URL)."""
    normal_body = normalise_text(body_text)
    return _sha256(normalise_text(title) + "\n" + normal_body), _sha256(normal_body)
