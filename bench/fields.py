"""Scoring for the article-metadata benchmark (see ``shared/metadata-dev/README.md``).

Each field of a page is scored 0 or 1 (topics: between 0 and 1), against the expected value:

- title: equal after whitespace normalisation;
- authors: equal sets after case and whitespace normalisation;
- published (the instant): the same instant, to the precision of the expected value (to
  the minute where it gives no seconds, to the second where it gives no fraction). A
  prediction at exactly midnight UTC is how the extractors here give a date the page
  states only as a day, so it scores by day: it matches when its day is the expected
  publication's day, in the publisher's own offset. An expected value without an offset
  is the publisher's wall-clock time: it matches a prediction whose time in its own
  offset (the one the page gave) is that time, and one at midnight without an offset
  names a day only, which any prediction on that day matches;
- published_day: the same calendar day, in the publisher's offset;
- topics: the Jaccard similarity of the lowercased sets (both empty: 1).

A field the page's annotation leaves out (``unannotated``) is not scored for that page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from statistics import fmean

FIELDS = ("title", "authors", "published", "published_day", "topics")


@dataclass(frozen=True)
class PredictedMetadata:
    """What an extractor found on a page."""

    title: str
    authors: list[str]
    published: datetime | None
    topics: list[str]


@dataclass(frozen=True)
class ExpectedMetadata:
    """The annotation of a page; ``unannotated`` names the fields not to score."""

    title: str
    authors: list[str]
    published: datetime
    topics: list[str]
    unannotated: frozenset[str]


def _words(text: str) -> str:
    return " ".join(text.split())


def _names(names: Iterable[str]) -> set[str]:
    return {_words(name).casefold() for name in names if _words(name)}


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _day_only(value: datetime) -> bool:
    return value.astimezone(UTC).time() == time(0)


def _same_day(predicted: datetime, expected: datetime) -> bool:
    local = predicted.astimezone(UTC) if _day_only(predicted) else predicted.astimezone(expected.tzinfo)
    return local.date() == expected.date()


def _same_instant(predicted: datetime, expected: datetime) -> bool:
    """The same moment to the precision ``expected`` gives; a naive ``expected`` is compared with ``predicted``'s own wall clock."""
    if expected.tzinfo is None:
        predicted = predicted.replace(tzinfo=None)
    else:
        predicted = predicted.astimezone(expected.tzinfo)
    if expected.microsecond == 0:
        predicted = predicted.replace(microsecond=0)
        if expected.second == 0:
            predicted = predicted.replace(second=0)
    return predicted == expected


def field_scores(predicted: PredictedMetadata, expected: ExpectedMetadata) -> dict[str, float]:
    """The scores of one page, for the fields its annotation covers."""
    expected_published = _aware(expected.published)
    published = _aware(predicted.published) if predicted.published else None
    by_day = published is not None and (_day_only(published) or (expected.published.tzinfo is None and expected.published.time() == time(0)))
    exact = published is not None and not by_day and _same_instant(published, expected.published)
    scores = {
        "title": float(_words(predicted.title) == _words(expected.title)),
        "authors": float(_names(predicted.authors) == _names(expected.authors)),
        "published": float(exact or (published is not None and by_day and _same_day(published, expected_published))),
        "published_day": float(published is not None and _same_day(published, expected_published)),
        "topics": _jaccard(_names(predicted.topics), _names(expected.topics)),
    }
    skipped = {"published", "published_day"} if "published" in expected.unannotated else set(expected.unannotated)
    return {name: score for name, score in scores.items() if name not in skipped}


def mean_scores(pages: Iterable[dict[str, float]]) -> dict[str, float]:
    """Each field's mean over the pages that score it."""
    pages = list(pages)
    return {name: fmean(page[name] for page in pages if name in page) for name in FIELDS if any(name in page for page in pages)}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0
