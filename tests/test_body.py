"""The body cascade on small pages: a first pass much shorter than the page's prose is doubted, and the recall pass kept if closer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import lxml.html
import pytest
import trafilatura.core

from crawler.extraction import body, clean_body, read_page

PROSE = [
    f"Paragraph {n} of the article tells the story at length, with enough words to be prose and not a caption or a label, as articles do."
    for n in range(12)
]
PAGE = "<html><body><article><h1>Headline</h1>" + "".join(f"<p>{text}</p>" for text in PROSE) + "</article></body></html>"
LEAD = "<div><p>" + " ".join(PROSE[:2]) + "</p></div>"
WHOLE = "<div>" + "".join(f"<p>{text}</p>" for text in PROSE) + "</div>"
TWICE_TOO_MUCH = "<div>" + "".join(f"<p>{text}</p>" for text in PROSE * 4) + "</div>"


@dataclass
class FakeTrafilatura:
    """Stands in for trafilatura's passes: ``first`` in precision mode, ``recall`` in recall mode, noting the modes asked for."""

    first: str
    recall: str
    asked: list[str] = field(default_factory=list)

    def __call__(self, tree: object, url: str, favor_precision: bool = False, favor_recall: bool = False) -> str:
        self.asked.append("recall" if favor_recall else "precision")
        return self.recall if favor_recall else self.first


def _extract(monkeypatch: pytest.MonkeyPatch, passes: FakeTrafilatura) -> tuple[str, str]:
    monkeypatch.setattr(body, "_trafilatura_html", passes)
    return body.extract_body_html(lxml.html.fromstring(PAGE), "https://news.example/a")


def test_first_pass_much_shorter_than_the_prose_gives_way_to_the_recall_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    passes = FakeTrafilatura(first=LEAD, recall=WHOLE)
    found, method = _extract(monkeypatch, passes)
    assert (method, passes.asked) == ("trafilatura-recall", ["precision", "recall"])
    assert all(text in found for text in PROSE)


def test_head_footers_and_pictures_go_before_the_body_is_looked_for() -> None:
    tree = lxml.html.fromstring(
        '<html><head><title>T</title><link rel="stylesheet" href="/s.css"></head><body><article><p>Text</p>'
        '<picture><source srcset="a.webp"><img src="a.jpg"></picture><footer><p>Tags</p></footer></article>'
        "<footer><p>About us</p></footer></body></html>"
    )
    body.remove_boilerplate(tree)
    assert [element.tag for element in tree.iter()] == ["html", "body", "article", "p"]


def test_prose_in_the_page_footer_does_not_make_a_body_doubtful(monkeypatch: pytest.MonkeyPatch) -> None:
    footer = "<footer>" + "".join(f"<p>{text}</p>" for text in PROSE * 4) + "</footer>"
    passes = FakeTrafilatura(first=WHOLE, recall=TWICE_TOO_MUCH)
    monkeypatch.setattr(body, "_trafilatura_html", passes)
    assert body.extract_body_html(lxml.html.fromstring(PAGE.replace("</body>", footer + "</body>")), "https://news.example/a")[1] == "trafilatura"
    assert passes.asked == ["precision"]


def test_first_pass_holding_the_prose_is_kept_without_a_recall_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    passes = FakeTrafilatura(first=WHOLE, recall=LEAD)
    assert _extract(monkeypatch, passes)[1] == "trafilatura"
    assert passes.asked == ["precision"]


def test_recall_pass_further_from_the_prose_than_the_first_is_not_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    passes = FakeTrafilatura(first=LEAD, recall=TWICE_TOO_MUCH)
    assert _extract(monkeypatch, passes) == (LEAD, "trafilatura")
    assert passes.asked == ["precision", "recall"]


REPRINT = (
    "This article was originally published by The Conversation, independent nonprofit publishers of commentary, "
    "analysis and explanatory journalism, republished here under Creative Commons licences."
)
REPRINTED_PAGE = f"<html><body><article><h1>Headline</h1><p>{PROSE[0]}</p><p>{REPRINT}</p></article></body></html>"


def test_reprint_notice_taken_for_the_whole_body_gives_way_to_the_recall_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """The notice is long beside the one paragraph of the article: counted as text, it would pass for the body."""
    passes = FakeTrafilatura(
        first=f'<div class="article-footer-note reprint-notice"><p>{REPRINT}</p></div>', recall=f"<div><p>{PROSE[0]}</p><p>{REPRINT}</p></div>"
    )
    monkeypatch.setattr(body, "_trafilatura_html", passes)
    assert body.extract_body_html(lxml.html.fromstring(REPRINTED_PAGE), "https://news.example/a")[1] == "trafilatura-recall"


def test_paywall_and_cookie_notices_are_dropped_from_a_body() -> None:
    html = (
        "<div>"
        + "".join(f"<p>{text}</p>" for text in PROSE[:2])
        + "<p>Il vous reste 57% de cet article à lire. La suite est réservée aux abonnés.</p>"
        + "<p>We use cookies to improve your experience. Accept all cookies or manage your settings.</p>"
        + "<p>Originally published on Live Science.</p></div>"
    )
    assert clean_body(html).split("\n\n") == [*PROSE[:2], "Originally published on Live Science."]


@dataclass
class CountedComparison:
    """Wraps trafilatura's comparison with readability and jusText, counting its runs."""

    compare: Callable[..., tuple[object, str]]
    runs: int = 0

    def __call__(self, *args: object) -> tuple[object, str]:
        self.runs += 1
        return self.compare(*args)


def _comparisons(monkeypatch: pytest.MonkeyPatch, page: str) -> tuple[str, int]:
    comparison = CountedComparison(trafilatura.core.compare_extraction)
    monkeypatch.setattr(trafilatura.core, "compare_extraction", comparison)
    found, _ = body.extract_body_html(lxml.html.fromstring(page), "https://news.example/a")
    return found, comparison.runs


def test_a_long_body_is_extracted_without_trafilaturas_comparison(monkeypatch: pytest.MonkeyPatch) -> None:
    found, runs = _comparisons(monkeypatch, PAGE)
    assert runs == 0
    assert all(text in found for text in PROSE)


def test_a_short_body_is_compared_with_readability_and_justext(monkeypatch: pytest.MonkeyPatch) -> None:
    short_page = "<html><body><article><h1>Headline</h1>" + "".join(f"<p>{text}</p>" for text in PROSE[:3]) + "</article></body></html>"
    found, runs = _comparisons(monkeypatch, short_page)
    assert runs >= 1
    assert PROSE[0] in found


def test_a_page_without_text_is_read_without_trafilaturas_warnings(caplog: pytest.LogCaptureFixture) -> None:
    page = "<html><head><title>A gallery</title></head><body><div><img src='a.jpg'></div></body></html>"
    with caplog.at_level(logging.DEBUG):
        assert read_page(page, "https://news.example/gallery").body_text == ""
    assert not [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]


def test_trafilaturas_other_warnings_are_still_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        logging.getLogger("trafilatura.core").warning("recall retry failed: %s", "https://news.example/a")
        logging.getLogger("trafilatura.core").warning("discarding data: %s", "https://news.example/a")
    assert [record.getMessage() for record in caplog.records] == ["recall retry failed: https://news.example/a"]
