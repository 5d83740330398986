"""The evaluation sets and the extractors compared on them, shared by the benchmark and the test gate.

Three sets live beside the project: ``shared/extraction-dev`` (pages and their true article
bodies), ``shared/metadata-dev`` (English news pages and their expected title, authors,
publication date, topics and body) and ``shared/metadata-dev-world`` (the same for pages
in other languages, whose Japanese and Chinese bodies are scored by characters, see
``bench/scoring.py``). Each extractor takes a page's decoded HTML and URL and returns an
``Extraction``; ``run`` applies one to every page of a set and scores it.
"""

from __future__ import annotations

import gzip
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import trafilatura

from bench.fields import ExpectedMetadata, PredictedMetadata, field_scores
from bench.scoring import PageScore, page_score
from crawler.extraction import read_page
from crawler.extraction.encoding import decode_html

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared"
BODY_SET = SHARED_DATA / "extraction-dev"
METADATA_SET = SHARED_DATA / "metadata-dev"
WORLD_SET = SHARED_DATA / "metadata-dev-world"


@dataclass(frozen=True)
class Page:
    """One page of a set: its decoded HTML, its true body and, in the metadata set, its annotation."""

    id: str
    url: str
    html: str
    body: str
    metadata: ExpectedMetadata | None = None
    by_characters: bool = False
    """Score the body with CJK characters as tokens (``bench/scoring.py``)."""


@dataclass(frozen=True)
class Extraction:
    """An extractor's reading of one page."""

    body: str
    metadata: PredictedMetadata


Extractor = Callable[[str, str], Extraction]
NOTHING_FOUND = Extraction(body="", metadata=PredictedMetadata(title="", authors=[], published=None, topics=[]))


@dataclass
class Run:
    """One extractor's results on a set, their scores and the time spent extracting."""

    name: str
    extractions: dict[str, Extraction] = field(default_factory=dict)
    body_scores: dict[str, PageScore] = field(default_factory=dict)
    field_scores: dict[str, dict[str, float]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    """Pages the extractor raised an error on, with the error."""
    seconds: float = 0.0

    @property
    def ms_per_page(self) -> float:
        return 1000 * self.seconds / len(self.extractions)


def extract_project(html: str, url: str) -> Extraction:
    """The project's extractor, as the crawler runs it: metadata, body, then cleaning."""
    page = read_page(html, url)
    meta = page.metadata
    return Extraction(
        body=page.body_text,
        metadata=PredictedMetadata(title=meta.title, authors=list(meta.authors), published=meta.published_at, topics=list(meta.tags)),
    )


def _trafilatura(html: str, url: str, favor_precision: bool) -> Extraction:
    document = trafilatura.bare_extraction(html, url=url, with_metadata=True, favor_precision=favor_precision)
    if document is None or isinstance(document, dict):
        return NOTHING_FOUND
    published = date.fromisoformat(document.date) if document.date else None
    return Extraction(
        body=document.text or "",
        metadata=PredictedMetadata(
            title=document.title or "",
            authors=[name for name in (document.author or "").split(";") if name.strip()],
            published=datetime(published.year, published.month, published.day, tzinfo=UTC) if published else None,
            topics=[*(document.categories or []), *(document.tags or [])],
        ),
    )


def extract_trafilatura(html: str, url: str) -> Extraction:
    """trafilatura with its default settings (body text and metadata)."""
    return _trafilatura(html, url, favor_precision=False)


def extract_trafilatura_precision(html: str, url: str) -> Extraction:
    """trafilatura with ``favor_precision=True``, its best configuration on these pages."""
    return _trafilatura(html, url, favor_precision=True)


EXTRACTORS: dict[str, Extractor] = {
    "project": extract_project,
    "trafilatura": extract_trafilatura,
    "trafilatura-precision": extract_trafilatura_precision,
}


def _decoded(path: Path) -> str:
    return decode_html(gzip.decompress(path.read_bytes()), None)


def load_body_set(directory: Path = BODY_SET) -> list[Page]:
    """The body set's pages, in id order, decoded as the crawler decodes pages (``encoding.py``)."""
    truth = json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        Page(id=page_id, url=entry["url"], html=_decoded(directory / "html" / f"{page_id}.html.gz"), body=entry["articleBody"])
        for page_id, entry in sorted(truth.items())
    ]


def load_metadata_set(directory: Path = METADATA_SET, by_characters: bool = False) -> list[Page]:
    """A metadata set's pages, in id order, with their annotations (no ``unannotated``: every field annotated)."""
    truth = json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        Page(
            id=page_id,
            url=entry["url"],
            html=_decoded(directory / "html" / f"{page_id}.html.gz"),
            body=entry["body"],
            metadata=ExpectedMetadata(
                title=entry["title"],
                authors=entry["authors"],
                published=datetime.fromisoformat(entry["published"]),
                topics=entry["topics"],
                unannotated=frozenset(entry.get("unannotated", ())),
            ),
            by_characters=by_characters,
        )
        for page_id, entry in sorted(truth.items())
    ]


def run(name: str, extractor: Extractor, pages: list[Page]) -> Run:
    """Apply one extractor to every page; a page it fails on counts as nothing found."""
    result = Run(name=name)
    for page in pages:
        start = time.perf_counter()
        try:
            extraction = extractor(page.html, page.url)
        except Exception as error:  # noqa: BLE001 - one failing page must not stop the evaluation
            print(f"warning: {name} failed on {page.id}: {error!r}", file=sys.stderr)
            result.failures[page.id] = repr(error)
            extraction = NOTHING_FOUND
        result.seconds += time.perf_counter() - start
        result.extractions[page.id] = extraction
        result.body_scores[page.id] = page_score(extraction.body, page.body, page.by_characters)
        if page.metadata is not None:
            result.field_scores[page.id] = field_scores(extraction.metadata, page.metadata)
    return result


@dataclass(frozen=True)
class EvaluationSet:
    """A set beside the project: its name, where it is, and how to load its pages."""

    name: str
    directory: Path
    load: Callable[[], list[Page]]
    has_metadata: bool

    @property
    def present(self) -> bool:
        return (self.directory / "ground-truth.json").is_file()


EVALUATION_SETS: dict[str, EvaluationSet] = {
    evaluation_set.name: evaluation_set
    for evaluation_set in (
        EvaluationSet("metadata-dev", METADATA_SET, lambda: load_metadata_set(METADATA_SET), has_metadata=True),
        EvaluationSet("metadata-dev-world", WORLD_SET, lambda: load_metadata_set(WORLD_SET, by_characters=True), has_metadata=True),
        EvaluationSet("extraction-dev", BODY_SET, lambda: load_body_set(BODY_SET), has_metadata=False),
    )
}
"""Every set the benchmark and the gate score, by name."""
