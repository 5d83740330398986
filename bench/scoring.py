"""Scoring for the article-body extraction benchmark (see ``shared/extraction-dev/README.md``).

A predicted body is compared with the true one through shingles: both texts are split into
tokens with the Unicode regular expression ``\\w+``, every run of 4 consecutive tokens is a
shingle, and the shingles of each text are counted as a multiset. Per page, tp = shingles
in both, fp = predicted but not true, fn = true but not predicted, and

- precision = tp / (tp + fp), recall = tp / (tp + fn);
- a page with fp = fn = 0 (including both texts empty) scores 1 on both;
- any other zero denominator scores 0: nothing predicted gives precision 0 (and, by the
  same rule, an empty truth would give recall 0; no page of the dev set has one).

Both texts are compared in Unicode normal form C: a truth that writes "ü" as "u" and a
combining diaeresis (as some of ``shared/metadata-dev-world`` does) is the same text as
a page that writes it as one character, though ``\\w`` matches no combining mark.

A text with fewer than 4 tokens has a single shingle made of all its tokens, so a short
body is still compared, as the benchmark's reference implementation does; a text with no
token has no shingle.

Over a set of pages, precision and recall are the means of the page figures, F1 is their
harmonic mean, and accuracy is the share of pages whose token lists are equal.

Unlike the reference implementation, which leaves pages with nothing predicted out of the
precision mean, this module counts them as precision 0, as the README specifies.

Japanese and Chinese write words without spaces, so ``\\w+`` makes one token of a whole
clause. With ``by_characters=True`` (the scoring of ``shared/metadata-dev-world``, as its
README allows) each Han, kana or full-width character is a token of its own and every
other run of word characters one token, so those bodies are compared by character
shingles; a text without such characters tokenises exactly as with ``\\w+``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import fmean

TOKEN = re.compile(r"\w+")
CJK_CHARACTERS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
"""Hiragana, katakana, CJK ideographs (with extension A and compatibility forms), half-width katakana."""
TOKEN_CJK_BY_CHARACTER = re.compile(rf"[{CJK_CHARACTERS}]|(?:(?![{CJK_CHARACTERS}])\w)+")
SHINGLE_SIZE = 4


@dataclass(frozen=True)
class PageScore:
    """One page's scores."""

    precision: float
    recall: float
    f1: float
    exact: bool


@dataclass(frozen=True)
class Aggregate:
    """Scores over a set of pages."""

    precision: float
    recall: float
    f1: float
    accuracy: float


def tokenize(text: str, by_characters: bool = False) -> list[str]:
    """The text's ``\\w+`` tokens, in Unicode normal form C; with ``by_characters``, each CJK character a token of its own."""
    return (TOKEN_CJK_BY_CHARACTER if by_characters else TOKEN).findall(unicodedata.normalize("NFC", text))


def shingles(tokens: list[str]) -> Counter[tuple[str, ...]]:
    """Multiset of the runs of ``SHINGLE_SIZE`` consecutive tokens.

    Fewer tokens than that make one shingle of all of them; no token makes no shingle.
    """
    if not tokens:
        return Counter()
    count = max(1, len(tokens) - SHINGLE_SIZE + 1)
    return Counter(tuple(tokens[i : i + SHINGLE_SIZE]) for i in range(count))


def page_score(predicted: str, truth: str, by_characters: bool = False) -> PageScore:
    """Score a predicted article body against the true one (CJK by characters with ``by_characters``)."""
    predicted_tokens, true_tokens = tokenize(predicted, by_characters), tokenize(truth, by_characters)
    predicted_shingles, true_shingles = shingles(predicted_tokens), shingles(true_tokens)
    tp = (predicted_shingles & true_shingles).total()
    fp = (predicted_shingles - true_shingles).total()
    fn = (true_shingles - predicted_shingles).total()
    if fp == fn == 0:
        precision = recall = 1.0
    else:
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return PageScore(
        precision=precision,
        recall=recall,
        f1=_harmonic_mean(precision, recall),
        exact=predicted_tokens == true_tokens,
    )


def aggregate(scores: Iterable[PageScore]) -> Aggregate:
    """Mean precision and recall over pages, the F1 of those means, and accuracy."""
    scores = list(scores)
    if not scores:
        raise ValueError("no page to aggregate")
    precision = fmean(score.precision for score in scores)
    recall = fmean(score.recall for score in scores)
    return Aggregate(
        precision=precision,
        recall=recall,
        f1=_harmonic_mean(precision, recall),
        accuracy=fmean(score.exact for score in scores),
    )


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _harmonic_mean(a: float, b: float) -> float:
    return 2 * a * b / (a + b) if a + b else 0.0
