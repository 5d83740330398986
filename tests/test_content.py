"""Normalised article text (``archive.content``): what the content hashes see, and what the archive can store."""

from __future__ import annotations

import re
import sys
import unicodedata

from archive.content import normalise_text, page_hashes, storable_text

EVERY_CHARACTER = "".join(chr(code) for code in range(sys.maxunicode + 1))


def normalised_by_regexes(text: str) -> str:
    """How the hashes of archived versions were made: ``normalise_text`` with regexes."""
    text = unicodedata.normalize("NFC", re.sub("[\x00\ud800-\udfff]", "", text))
    text = re.sub("[\u00ad\u200b\u200c\u200d\u2060\ufeff]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def test_text_is_normalised_as_the_archived_hashes_were() -> None:
    text = f"  Title\u00a0of\tit \n\ne\u00ad\u0301 {EVERY_CHARACTER}\u3000end \u2028"
    assert normalise_text(text) == normalised_by_regexes(text)


def test_unstorable_characters_are_removed() -> None:
    assert storable_text("a\x00b\ud800c\udfffd") == "abcd"
    assert storable_text("a\x00b") == "ab"
    plain = "Plain text, “quoted”"
    assert storable_text(plain) is plain


def test_hashes_ignore_spacing_and_invisible_characters() -> None:
    assert page_hashes("Title", "One\n\ntwo  three") == page_hashes(" Title ", "One two\u200b three")
    assert page_hashes("Title", "One two") != page_hashes("Title", "One two three")
