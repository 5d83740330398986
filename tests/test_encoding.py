"""Decoding pages whose HTTP header and ``<meta>`` charset disagree (``crawler.extraction.encoding``)."""

from __future__ import annotations

import pytest

from crawler.extraction.encoding import decode_html

TEXT = "Café Linux : à la découverte de Debian — “stable” €"


def page(charset: str) -> str:
    return f'<html><head><meta charset="{charset}"></head><body><p>{TEXT}</p></body></html>'


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(page("windows-1252").encode("cp1252"), "text/html; charset=utf-8", id="header-utf8-page-cp1252"),
        pytest.param(page("utf-8").encode("utf-8"), "text/html; charset=iso-8859-1", id="header-latin1-page-utf8"),
        pytest.param(page("utf-8").encode("utf-8"), "text/html", id="meta-only"),
        pytest.param(page("windows-1252").encode("cp1252"), None, id="no-header"),
        pytest.param("\ufeff".encode() + page("iso-8859-1").encode("utf-8"), "text/html; charset=iso-8859-1", id="bom-wins"),
        pytest.param(page("utf-8").replace('<meta charset="utf-8">', "").encode("cp1252"), "text/html", id="undeclared-cp1252"),
    ],
)
def test_page_text_is_decoded_whatever_the_declarations_say(body: bytes, content_type: str | None) -> None:
    assert TEXT in decode_html(body, content_type)


@pytest.mark.parametrize(("text", "charset"), [("日本語のニュース", "shift_jis"), ("中文新闻", "gb2312")])
def test_east_asian_page_declared_only_by_meta(text: str, charset: str) -> None:
    html = f'<html><head><meta charset="{charset}"></head><body><p>{text}</p></body></html>'
    assert text in decode_html(html.encode(charset), "text/html")


def test_undecodable_bytes_become_replacement_characters_not_an_error() -> None:
    assert decode_html(b"<p>caf\xe9 \x81</p>", "text/html; charset=utf-8").startswith("<p>caf")
