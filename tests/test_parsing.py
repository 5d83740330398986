"""Parsing a page (``crawler.extraction.parsing``): the tree trafilatura's ``load_html`` builds, from the page's bytes."""

from __future__ import annotations

import pytest
from lxml.html import HtmlElement, tostring
from trafilatura.utils import load_html

from crawler.extraction.parsing import parse_page

FORBIDDEN = "\x00\x01\x0b\x1f\ufffe\uffff"
BODY = "<body><p>Café Linux — “stable” €</p><form><input name=q><select><option>a</option></select></form></body>"


@pytest.mark.parametrize(
    "html",
    [
        pytest.param(f"<html>{BODY}</html>", id="plain"),
        pytest.param("<html>" + BODY.replace("Linux", f"Li{FORBIDDEN}nux") + "</html>", id="characters-xml-forbids"),
        pytest.param("<html>" + BODY.replace("Linux", "Li\x0cnux") + "</html>", id="a-control-character-alone"),
        pytest.param("<html>" + BODY.replace("Linux", "Li\ufffenux") + "</html>", id="a-noncharacter-alone"),
        pytest.param(f"<!DOCTYPE html/>\n<html>{BODY}</html>", id="doctype-with-a-slash"),
        pytest.param(f"<html lang='en'/>\n{BODY}", id="self-closed-html-tag"),
        pytest.param(f"<!-- a comment --><?php echo 1; ?><html>{BODY}</html>", id="comments-and-processing-instructions"),
        pytest.param("<div><p>One</p><p>Two</p></div>", id="fragment"),
    ],
)
def test_page_tree_is_trafilaturas(html: str) -> None:
    tree, expected = parse_page(html), load_html(html)
    assert tree is not None and expected is not None
    assert tostring(tree, encoding="unicode") == tostring(expected, encoding="unicode")


@pytest.mark.parametrize("html", ["", "   ", "\x00", "<!-- only a comment -->", "<p>One paragraph</p>"])
def test_text_without_a_page_is_no_tree(html: str) -> None:
    assert parse_page(html) is None


def test_every_element_is_an_html_element() -> None:
    tree = parse_page(f"<html>{BODY}</html>")
    assert tree is not None
    assert {type(element) for element in tree.iter()} == {HtmlElement}
    assert tree.findtext(".//p") == "Café Linux — “stable” €"
