"""The language of a page that declares none is told from its body text."""

from __future__ import annotations

from crawler.extraction import read_page

GERMAN = (
    "Die Bundesregierung hat am Dienstag neue Regeln für den Ausbau der Stromnetze beschlossen. "
    "Netzbetreiber sollen künftig schneller genehmigt bekommen, was sie für den Anschluss neuer Wind- und Solarparks brauchen. "
    "Kritiker bemängeln, dass die Kosten am Ende bei den Verbraucherinnen und Verbrauchern landen."
)


def page(body: str, html_attrs: str = "") -> str:
    return f"<html {html_attrs}><head><title>Netze</title></head><body><article><h1>Netze</h1><p>{body}</p><p>{body}</p></article></body></html>"


def test_page_without_a_declared_language_gets_the_language_of_its_text() -> None:
    assert read_page(page(GERMAN), "https://news.example/netze").metadata.language == "de"


def test_declared_language_is_kept() -> None:
    assert read_page(page(GERMAN, 'lang="de-AT"'), "https://news.example/netze").metadata.language == "de-AT"


def test_too_little_text_gets_no_language() -> None:
    assert read_page(page("Kurz und knapp."), "https://news.example/netze").metadata.language is None
