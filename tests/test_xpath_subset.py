"""trafilatura's XPath expressions run as Python: the same elements as lxml selects, on minimal pages and on every development page."""

from __future__ import annotations

from copy import deepcopy

import pytest
from lxml.etree import XPath
from lxml.html import HtmlElement, fromstring
from trafilatura import xpaths
from trafilatura.htmlprocessing import convert_tags, tree_cleaning
from trafilatura.settings import Extractor

from bench.evaluation import EVALUATION_SETS
from crawler.extraction.body import remove_boilerplate
from crawler.extraction.parsing import parse_page
from crawler.extraction.xpath_subset import TranslatedXPath, Untranslatable, translate, translate_trafilatura_xpaths
from tests.test_extraction_quality import _require

EXSLT = {"re": "http://exslt.org/regular-expressions"}
PAGE = fromstring(
    """<html><body>
    <div id="a1" class="share-bar" role="Navigation">share</div>
    <div class="nav" id="x">class first</div>
    <section class="comment-list"><div><h1>Title</h1></div></section>
    <section class="comment-list"><p>no heading</p></section>
    <span data-lp-replacement-content="">empty value</span>
    <p style="display: none" aria-hidden="true">hidden</p>
    <div id="TeaserBox"><div class="reply-to">nested</div></div>
    <ul><li class="comment">item</li></ul>
    <div id="outer"><p>one</p><div class="comment"><p>two</p><section class="comment">three</section></div><p>four</p></div>
    <p class="x-comment" id="aXb">contains, does not start with</p>
    <div class="Comment">capitals</div>
    <!-- a comment is no element -->
    </body></html>"""
)
CASES = {
    ".//*[re:test(@id|@class, '^nav')]": "whichever attribute comes first on the element",
    ".//*[re:test(@class, 'ment-l')]": "searched anywhere in the value, not matched at its start",
    ".//*[re:test(@class, 'Comment')]": "case counts",
    ".//*[contains(translate(@role, 'N', 'n'), 'nav')]": "",
    ".//*[contains(translate(@id, 'aX', 'A'), 'Ab')]": "a character without a partner is deleted",
    ".//*[contains(translate(@class, 'ccx', 'CDy'), 'y-Comment')]": "a character's first place counts",
    ".//*[@data-lp-replacement-content]": "an attribute that exists with no value",
    ".//*[@aria-hidden='true' or starts-with(@id|@class, 'reply-')]": "",
    ".//*[starts-with(@class, 'comment')]": "",
    ".//*[@id|@class='nav']": "either attribute's value",
    ".//*[self::section][re:test(@class, '^comment')][not(.//h1)]": "a heading anywhere below",
    ".//*[self::div or self::section][not(self::section) or contains(@class, 'list')]": "",
    ".//*[self::div and contains(@class, 'comment')]": "a tag test joined by and is no tag filter",
    ".//section[.//p and (contains(@class, 'comment') or @id)]": "",
    ".//*[contains(@style, 'display: none')]": "",
    ".//li": "",
    ".//*": "elements only, no comments",
    ".//*[self::div or self::section][contains(@class, 'comment') or @id][1]": "the first such child of each parent",
    ".//p[1]": "",
}
NOTHING_SELECTED = {
    ".//*[re:test(@class|@id, '^x$')]": "the class comes first on the element whose id is x",
    ".//*[self::div and self::section]": "a tag test joined by and is no tag filter",
}


def selected(expression: XPath | TranslatedXPath, tree: HtmlElement) -> list[HtmlElement]:
    return list(expression(tree))


@pytest.mark.parametrize("path", list(CASES) + list(NOTHING_SELECTED))
def test_a_translation_selects_what_lxml_selects(path: str) -> None:
    expected = selected(XPath(path, namespaces=EXSLT), PAGE)
    assert selected(translate(path), PAGE) == expected
    assert bool(expected) is (path in CASES), "the case selects something (or, as meant, nothing)"


@pytest.mark.parametrize(
    "path",
    [
        ".//*[self::div][2]",  # a position other than the first
        ".//*[self::div][1][@id]",  # a predicate after a position
        "//div[@class='x']",  # an absolute path
        ".//div/p",  # a second step
        ".//*[ancestor::nav]",  # another axis
        ".//*[string-length(@class) > 3]",  # another function
        ".//*[@class!='x']",
        "(.//main)[1]",  # a position of a whole selection
        ".//*(self::p]",  # not XPath at all, though its tag tests read well
        ".//*|self::p]",
        ".//*]self::p]",
        ".//*[re:test(@id, '(')]",  # a regular expression Python cannot compile
    ],
)
def test_xpath_outside_the_subset_is_not_translated(path: str) -> None:
    with pytest.raises(Untranslatable):
        translate(path)


def test_trafilatura_lists_hold_translations_where_the_subset_reaches() -> None:
    translate_trafilatura_xpaths()
    translated = [list(expressions) for expressions in vars(xpaths).values() if isinstance(expressions, list)]
    translate_trafilatura_xpaths()
    again = [list(expressions) for expressions in vars(xpaths).values() if isinstance(expressions, list)]
    assert all(map(lambda first, second: all(a is b for a, b in zip(first, second, strict=True)), translated, again)), "nothing more"
    assert all(isinstance(expression, TranslatedXPath) for expression in xpaths.OVERALL_DISCARD_XPATH)
    assert isinstance(xpaths.BODY_XPATH[0], TranslatedXPath), "a last [1]: the first child of each parent"
    assert isinstance(xpaths.BODY_XPATH[-1], XPath), "a union of (...)[1] stays with lxml"


def _trafilatura_trees(html: str) -> list[HtmlElement]:
    """A page's tree as the body cascade hands it to trafilatura (its boilerplate removed), and as trafilatura's later
    passes see it (cleaned, its tags converted: ``list``, ``item``)."""
    parsed = parse_page(html)
    if parsed is None:
        return []
    remove_boilerplate(parsed)
    options = Extractor(output_format="html", tables=True)
    return [parsed, convert_tags(tree_cleaning(deepcopy(parsed), options), options)]


@pytest.mark.parametrize("name", list(EVALUATION_SETS))
def test_every_translation_of_trafilatura_selects_what_lxml_selects_on_every_page(name: str) -> None:
    evaluation_set = EVALUATION_SETS[name]
    _require(evaluation_set)
    originals = {  # as trafilatura compiles them (its lists hold translations once the extractor is loaded)
        expression.path: XPath(expression.path, namespaces=EXSLT)
        for expressions in vars(xpaths).values()
        if isinstance(expressions, list)
        for expression in expressions
        if isinstance(expression, XPath | TranslatedXPath)
    }
    translations = {}
    for path in originals:
        try:
            translations[path] = translate(path)
        except Untranslatable:
            continue
    assert len(translations) >= 10, "the pruning expressions are translated"
    for page in evaluation_set.load():
        for tree in _trafilatura_trees(page.html):
            for path, translation in translations.items():
                assert translation(tree) == originals[path](tree), f"{page.id}: {path.strip()[:80]}"
