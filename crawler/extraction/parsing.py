"""Parse a page into the one lxml tree that metadata and body extraction share.

The tree is the one trafilatura's ``load_html`` builds (its parser options, its repairs
of markup libxml2 mis-reads), built for less:
- from the page's UTF-8 bytes, with the characters XML forbids deleted from the bytes
  (control characters are single bytes in UTF-8, never part of another character)
  rather than searched for character by character in the string, and each looked
  for first (a byte at ``memchr`` speed, a noncharacter in the string), so that the
  bytes are copied only on the rare page that holds one;
- every element an ``HtmlElement`` chosen by lxml's own default lookup, in C, rather
  than by ``lxml.html``'s lookup in Python, which each element pays again whenever an
  extractor visits it (the form classes of ``lxml.html`` are not needed here).
"""

from __future__ import annotations

from lxml.etree import ElementDefaultClassLookup, ParserError
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HTMLParser, HtmlProcessingInstruction, fromstring
from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, is_dubious_html

UTF8 = "utf-8"
CONTROL_CODES = tuple(code for code in range(0x20) if chr(code) not in "\t\n\r")
"""The C0 controls XML forbids: all but tab, line feed and carriage return."""
CONTROL_BYTES = bytes(CONTROL_CODES)
NONCHARACTERS = ("\ufffe", "\uffff")
HEAD_CHARS = 50
"""What of the page's start tells a doctype, and whether it is HTML at all."""
HTML_TAG_LINES = 4
HTML_TAG_CHARS = 4096
"""A self-closed ``<html/>`` is looked for in this many first lines, within this many first characters."""

PAGE_PARSER = HTMLParser(collect_ids=False, default_doctype=False, encoding=UTF8, remove_comments=True, remove_pis=True)
PAGE_PARSER.set_element_class_lookup(
    ElementDefaultClassLookup(element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity)
)


def _utf8_without_forbidden_characters(html: str) -> bytes:
    data = html.encode(UTF8, "surrogatepass")
    if any(code in data for code in CONTROL_CODES):
        data = data.translate(None, CONTROL_BYTES)
    for character in NONCHARACTERS:
        if character in html:
            data = data.replace(character.encode(UTF8), b"")
    return data


def _repaired(data: bytes, head: str) -> bytes:
    """The markup libxml2 mis-reads, mended: a doctype with a stray slash, a self-closed ``<html/>``."""
    if "doctype" in head:
        first_line, _, rest = data.partition(b"\n")
        data = DOCTYPE_TAG.sub("", first_line.decode(UTF8, "surrogatepass"), count=1).encode(UTF8, "surrogatepass") + b"\n" + rest
    start = data[:HTML_TAG_CHARS].decode(UTF8, "ignore")
    if any("<html" in line and line.endswith("/>") for line in start.splitlines()[:HTML_TAG_LINES]):
        data = FAULTY_HTML.sub(r"\1>", data.decode(UTF8, "surrogatepass"), count=1).encode(UTF8, "surrogatepass")
    return data


def parse_page(html: str) -> HtmlElement | None:
    """The page's tree, or None where the text holds no element, or is not HTML (no ``html`` in its first characters,
    and less than two elements)."""
    head = html[:HEAD_CHARS].lower()
    try:
        tree = fromstring(_repaired(_utf8_without_forbidden_characters(html), head), parser=PAGE_PARSER)
    except ParserError:  # "Document is empty"
        return None
    if is_dubious_html(head) and len(tree) < 2:
        return None
    return tree
