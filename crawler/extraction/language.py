"""The language of a page that declares none, told from its text.

py3langid (langid.py's model, shipped inside the package: no download, no network)
classifies the body text; its answer counts only when the text is long enough to tell
and the model is confident, so a page with a few words of text gets no language rather
than a guess.
"""

from __future__ import annotations

from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

MIN_TEXT_CHARS = 200
"""Shorter text is not enough to tell a language by."""
MAX_TEXT_CHARS = 3000
"""The classifier reads this much of a long text: more changes no answer and costs time."""
MIN_CONFIDENCE = 0.9
"""The classifier's normalised probability below which it names no language."""
UNDETERMINED = "und"


@cache
def language_identifier() -> LanguageIdentifier:
    """The classifier, loaded once per process at its first use (half a second), before forking workers by ``crawler.worker_preload``."""
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True, min_confidence=MIN_CONFIDENCE)


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the language ``text`` is written in, or None where it cannot be told."""
    if len(text) < MIN_TEXT_CHARS:
        return None
    language, _confidence = language_identifier().classify(text[:MAX_TEXT_CHARS])
    return None if language == UNDETERMINED else str(language)
