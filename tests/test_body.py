"""The body cascade on small pages: a first pass much shorter than the page's prose is doubted, and the recall pass kept if closer."""

from __future__ import annotations

from dataclasses import dataclass, field

import lxml.html
import pytest

from crawler.extraction import body

PROSE = [f"Paragraph {n} of the article tells the story at length, with enough words to be prose and not a caption or a label." for n in range(8)]
PAGE = "<html><body><article><h1>Headline</h1>" + "".join(f"<p>{text}</p>" for text in PROSE) + "</article></body></html>"
LEAD = "<div><p>" + " ".join(PROSE[:3]) + "</p></div>"
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


def test_first_pass_holding_the_prose_is_kept_without_a_recall_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    passes = FakeTrafilatura(first=WHOLE, recall=LEAD)
    assert _extract(monkeypatch, passes)[1] == "trafilatura"
    assert passes.asked == ["precision"]


def test_recall_pass_further_from_the_prose_than_the_first_is_not_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    passes = FakeTrafilatura(first=LEAD, recall=TWICE_TOO_MUCH)
    assert _extract(monkeypatch, passes) == (LEAD, "trafilatura")
    assert passes.asked == ["precision", "recall"]
