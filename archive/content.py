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
WHITESPACE = re.compile(r"\s+")
UNSTORABLE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
MIN_DUPLICATE_BODY_CHARS = 500
"""Bodies shorter than this are too generic to prove two URLs hold one article."""


def storable_text(text: str) -> str:
    """Text without NUL bytes and lone surrogates, which no database stores faithfully."""
    return UNSTORABLE_CHARACTERS.sub("", text)


def normalise_text(text: str) -> str:
    """One line of text: NFC, invisible characters removed, whitespace runs folded."""
    text = unicodedata.normalize("NFC", storable_text(text))
    text = INVISIBLE_CHARACTERS.sub("", text)
    return WHITESPACE.sub(" ", text).strip()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _content_digest(normal_title: str, normal_body: str) -> str:
    return _sha256(normal_title + "\n" + normal_body)


def body_hash(body_text: str) -> str:
    """Hash of the normalised body alone: finds the same article under another URL."""
    return _sha256(normalise_text(body_text))


def content_hash(title: str, body_text: str) -> str:
    """Hash of normalised title and body: a new snapshot is written when it differs."""
    return _content_digest(normalise_text(title), normalise_text(body_text))


def page_hashes(title: str, body_text: str) -> tuple[str, str]:
    """``content_hash`` and ``body_hash`` of one page, its body normalised once for both."""
    normal_body = normalise_text(body_text)
    return _content_digest(normalise_text(title), normal_body), _sha256(normal_body)
