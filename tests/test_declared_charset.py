"""A page whose bytes are UTF-8 is read as UTF-8, whatever single-byte charset its template declares."""

from __future__ import annotations

from crawler.extraction.encoding import decode_html

TEXT = "La revancha de Verstappen tras su sanción — “no le soporto” €"


def test_utf8_bytes_under_a_latin9_meta_are_utf8() -> None:
    html = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15"></head><body><p>{TEXT}</p></body></html>'
    assert TEXT in decode_html(html.encode("utf-8"), None)


def test_latin9_bytes_under_a_latin9_meta_stay_latin9() -> None:
    html = '<html><head><meta charset="iso-8859-15"></head><body><p>sanción €</p></body></html>'
    assert "sanción €" in decode_html(html.encode("iso-8859-15"), None)
