"""Word diff of two versions of an article: title and body compared word by word, unchanged runs collapsed.

The body is compared paragraph by paragraph first, then word by word inside
each run of changed paragraphs, so that a long article costs little and a
changed word is marked where it changed. Both steps are ``difflib``'s
``SequenceMatcher``. The result is pieces of text tagged ``same``, ``ins``
(only in the newer version) or ``del`` (only in the older one); a run of
unchanged paragraphs longer than twice ``CONTEXT_PARAGRAPHS`` keeps that many
on each side and collapses the rest into a count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Literal

from archive.models import Snapshot

CONTEXT_PARAGRAPHS = 2
WORD = re.compile(r"\S+\s*")
"""A word with the white space after it (which is kept in the text but not compared)."""
PARAGRAPH_BREAK = "\n\n"

Kind = Literal["same", "ins", "del"]


@dataclass(frozen=True)
class Piece:
    kind: Kind
    text: str


@dataclass(frozen=True)
class Block:
    """One unchanged paragraph, a run of changed paragraphs marked word by word, or ``collapsed`` unchanged paragraphs."""

    pieces: list[Piece] = field(default_factory=list)
    collapsed: int = 0


@dataclass(frozen=True)
class WordDiff:
    title: list[Piece]
    body: list[Block]
    inserted_words: int
    deleted_words: int


def word_pieces(old: str, new: str) -> list[Piece]:
    """``old`` to ``new`` word by word: unchanged, deleted and inserted runs of words, in reading order."""
    old_words, new_words = WORD.findall(old), WORD.findall(new)
    matcher = SequenceMatcher(None, [word.rstrip() for word in old_words], [word.rstrip() for word in new_words], autojunk=False)
    pieces: list[Piece] = []
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Piece("same", "".join(new_words[new_start:new_end])))
            continue
        if old_end > old_start:
            pieces.append(Piece("del", "".join(old_words[old_start:old_end])))
        if new_end > new_start:
            pieces.append(Piece("ins", "".join(new_words[new_start:new_end])))
    return pieces


def _paragraphs(body: str) -> list[str]:
    return [paragraph.strip() for paragraph in body.split(PARAGRAPH_BREAK) if paragraph.strip()]


def _unchanged(paragraphs: list[str], first: bool, last: bool) -> list[Block]:
    """A run of unchanged paragraphs, collapsed beyond the context kept next to the changes around it."""
    before = 0 if first else CONTEXT_PARAGRAPHS
    after = 0 if last else CONTEXT_PARAGRAPHS
    if len(paragraphs) <= before + after + 1:
        return [Block([Piece("same", paragraph)]) for paragraph in paragraphs]
    kept_before = [Block([Piece("same", paragraph)]) for paragraph in paragraphs[:before]]
    kept_after = [Block([Piece("same", paragraph)]) for paragraph in paragraphs[len(paragraphs) - after :]]
    return [*kept_before, Block(collapsed=len(paragraphs) - before - after), *kept_after]


def body_blocks(old: str, new: str) -> list[Block]:
    """The body of ``old`` to ``new``, paragraph by paragraph, changed paragraphs word by word."""
    old_paragraphs, new_paragraphs = _paragraphs(old), _paragraphs(new)
    opcodes = SequenceMatcher(None, old_paragraphs, new_paragraphs, autojunk=False).get_opcodes()
    blocks: list[Block] = []
    for number, (tag, old_start, old_end, new_start, new_end) in enumerate(opcodes):
        if tag == "equal":
            blocks += _unchanged(new_paragraphs[new_start:new_end], first=number == 0, last=number == len(opcodes) - 1)
        else:
            old_text = PARAGRAPH_BREAK.join(old_paragraphs[old_start:old_end])
            new_text = PARAGRAPH_BREAK.join(new_paragraphs[new_start:new_end])
            blocks.append(Block(word_pieces(old_text, new_text)))
    return blocks


def _words(pieces: list[Piece], kind: Kind) -> int:
    return sum(len(piece.text.split()) for piece in pieces if piece.kind == kind)


def version_diff(old: Snapshot, new: Snapshot) -> WordDiff:
    """Title and body of ``old`` to ``new``, word by word."""
    title = word_pieces(old.title, new.title)
    body = body_blocks(old.body_text, new.body_text)
    every_piece = [*title, *(piece for block in body for piece in block.pieces)]
    return WordDiff(title, body, _words(every_piece, "ins"), _words(every_piece, "del"))
