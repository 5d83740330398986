"""trafilatura's pruning expressions run as compiled Python predicates, not as XPath calling back into Python.

trafilatura prunes every tree it reads with lists of XPath expressions
(``trafilatura.xpaths``) that test ``id`` and ``class`` attributes with EXSLT
regular expressions (``re:test``). lxml runs each such test as a call from
libxml2 back into Python, for every element of every pass, whatever the element's
attributes: about a quarter of the extraction's time. This module translates the
small part of XPath those expressions use into one Python function each (a
list comprehension over ``iterdescendants``) whose regular-expression verdicts
are remembered per attribute value, and puts them in the place of the originals in trafilatura's
lists (:func:`translate_trafilatura_xpaths`). An expression that uses anything
else (a position but a last ``[1]``, an absolute path, a union, another axis or
function) stays with lxml, unchanged. A translation selects the very elements its original selects, in the
same order: the tests compare both on every development page.

The subset: a path ``.//*`` or ``.//name`` followed by predicates (the last
may be ``[1]``: the first selected child of each parent) made of
``or``, ``and``, ``not(...)``, parentheses, ``self::name``, ``.//name`` (a
descendant exists), ``@a`` (the attribute exists), ``@a='text'``, and
``contains``, ``starts-with`` and ``re:test`` of ``@a``, ``@a|@b`` (whichever
comes first on the element) or ``translate(@a, 'from', 'to')`` and a literal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lxml.etree import Element, XPath
from lxml.html import HtmlElement
from trafilatura import xpaths

MAX_REMEMBERED_VERDICTS = 1024
"""Attribute values whose regular-expression verdict one ``re:test`` remembers (the most recently used)."""
_TOKEN = re.compile(
    r"\s*(?:(?P<string>'[^']*'|\"[^\"]*\")|(?P<number>\d+)|(?P<symbol>\.//|::|[\[\]()|,=@*])|(?P<name>[A-Za-z_][\w.:-]*?)(?=::|[^\w.:-]|$))"
)
"""One token of the subset: a string literal, a number, a symbol, or a name (``re:test``, ``starts-with``, ``self``)."""
_NAME = re.compile(r"[A-Za-z_][\w.-]*")
"""A tag or attribute name."""


class Untranslatable(ValueError):
    """The expression uses XPath outside the subset: it stays with lxml."""


def _tokens(path: str) -> list[str]:
    """The tokens of ``path``; raises :class:`Untranslatable` on text that is none."""
    tokens: list[str] = []
    position = 0
    while position < len(path.rstrip()):
        match = _TOKEN.match(path, position)
        if match is None or match.end() == position:
            raise Untranslatable(f"cannot read {path[position : position + 20]!r}")
        tokens.append(match.group(match.lastgroup or ""))
        position = match.end()
    return tokens


def _remembered_search(pattern: str) -> Callable[[str], bool]:
    """``re:test`` with ``pattern``: Python's ``re.search``, as lxml's EXSLT module runs it, its verdicts remembered.

    A pattern Python cannot compile is :class:`Untranslatable` (lxml would fail only when it runs the query)."""
    try:
        search = re.compile(pattern).search
    except re.error as error:
        raise Untranslatable(f"regular expression {pattern!r}: {error}") from error

    @lru_cache(maxsize=MAX_REMEMBERED_VERDICTS)
    def test(value: str) -> bool:
        return search(value) is not None

    return test


def _first_attribute(element: HtmlElement, names: tuple[str, ...]) -> str:
    """The string value of ``@a|@b``: the value of whichever of the attributes comes first on the element, or ``""``."""
    present = [name for name in names if element.get(name) is not None]
    if len(present) > 1:
        present.sort(key=element.keys().index)
    return (element.get(present[0]) or "") if present else ""


class _Translator:
    """Recursive descent over the tokens of one expression, writing the Python expression of each predicate.

    The Python reads the element as ``e``; what it needs besides (regular-expression tests, translation tables) goes
    into :attr:`namespace`.
    """

    def __init__(self, path: str) -> None:
        self.tokens = _tokens(path)
        self.position = 0
        self.namespace: dict[str, object] = {"first_attribute": _first_attribute}

    def peek(self, offset: int = 0) -> str | None:
        """The token ``offset`` places ahead, not taken; None past the end."""
        index = self.position + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        """The next token, taken; it must be ``expected`` where that is given."""
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise Untranslatable(f"expected {expected or 'more'}, found {token!r}")
        self.position += 1
        return token

    def literal(self) -> str:
        """A string literal, taken, as the text it holds."""
        token = self.take()
        if token[:1] not in {"'", '"'}:
            raise Untranslatable(f"expected a string, found {token!r}")
        return token[1:-1]

    def name(self) -> str:
        """A tag or attribute name, taken, as a Python string literal."""
        token = self.take()
        if not _NAME.fullmatch(token):
            raise Untranslatable(f"expected a name, found {token!r}")
        return repr(token)

    def constant(self, value: object) -> str:
        """The name under which the Python finds ``value``."""
        name = f"constant_{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def path(self) -> tuple[tuple[str, ...], str, bool]:
        """The tags the path selects (as Python string literals; none: any element), the Python of its predicates, and
        whether it ends in ``[1]`` (of the elements the rest selects, only the first child of each parent)."""
        self.take(".//")
        tags: tuple[str, ...]
        if self.peek() == "*":
            self.take()
            tags = self.tag_tests()
        else:
            tags = (self.name(),)
        predicates = []
        first_children = False
        while self.peek() == "[":
            self.take("[")
            if self.peek() == "1" and self.peek(1) == "]" and self.peek(2) is None:
                self.take()
                first_children = True
            else:
                predicates.append(f"({self.disjunction()})")
            self.take("]")
        if self.peek() is not None:
            raise Untranslatable(f"unexpected {self.peek()!r}")
        return tags, " and ".join(predicates) or "True", first_children

    def tag_tests(self) -> tuple[str, ...]:
        """The tags of a first predicate that only tests tags (``[self::a or self::b]``), taken; none if there is none."""
        if self.peek() != "[":
            return ()
        tags = []
        offset = 1
        while self.peek(offset) == "self" and self.peek(offset + 1) == "::":
            tag = self.peek(offset + 2) or ""
            if not _NAME.fullmatch(tag):
                return ()
            tags.append(repr(tag))
            offset += 3
            if self.peek(offset) == "]":
                self.position += offset + 1
                return tuple(tags)
            if self.peek(offset) != "or":
                return ()
            offset += 1
        return ()

    def disjunction(self) -> str:
        return self.joined("or", self.conjunction)

    def conjunction(self) -> str:
        return self.joined("and", self.unary)

    def joined(self, operator: str, operand: Callable[[], str]) -> str:
        """Operands separated by ``operator`` (``or``, ``and``: the same word in Python)."""
        terms = [operand()]
        while self.peek() == operator:
            self.take()
            terms.append(operand())
        return f" {operator} ".join(terms)

    def unary(self) -> str:
        """A negation, a parenthesised expression, or a single test."""
        token = self.peek()
        if token == "not" and self.peek(1) == "(":
            self.take()
            self.take("(")
            inner = self.disjunction()
            self.take(")")
            return f"not ({inner})"
        if token == "(":
            self.take()
            inner = self.disjunction()
            self.take(")")
            return f"({inner})"
        if token == "self" and self.peek(1) == "::":
            self.take()
            self.take("::")
            return f"e.tag == {self.name()}"
        if token == ".//":
            self.take()
            return f"next(e.iterdescendants({self.name()}), None) is not None"
        if token == "@":
            return self.attribute_test()
        return self.function()

    def attributes(self) -> list[str]:
        """``@a`` or ``@a|@b|...``: the names, as Python string literals."""
        self.take("@")
        names = [self.name()]
        while self.peek() == "|":
            self.take()
            self.take("@")
            names.append(self.name())
        return names

    def attribute_test(self) -> str:
        """``@a`` (one of the attributes exists) or ``@a='text'`` (one of them has that value)."""
        names = self.attributes()
        if self.peek() == "=":
            self.take()
            text = repr(self.literal())
            return "(" + " or ".join(f"e.get({name}) == {text}" for name in names) + ")"
        return "(" + " or ".join(f"e.get({name}) is not None" for name in names) + ")"

    def value(self) -> str:
        """The Python of a string value: an attribute's (``""`` where absent), or ``translate`` of one."""
        if self.peek() == "@":
            names = self.attributes()
            if len(names) == 1:
                return f"(e.get({names[0]}) or '')"
            if len(names) == 2:  # most elements have one of the two or neither: no call for them
                first, second = names
                return (
                    f"((e.get({first}) or '') if e.get({second}) is None else (e.get({second}) or '') "
                    f"if e.get({first}) is None else first_attribute(e, ({first}, {second})))"
                )
            return f"first_attribute(e, ({', '.join(names)},))"
        self.take("translate")
        self.take("(")
        inner = self.value()
        self.take(",")
        source = self.literal()
        self.take(",")
        target = self.literal()
        self.take(")")
        table: dict[int, str | None] = {}
        for index, character in enumerate(source):  # XPath: a character's first place in ``source`` counts
            table.setdefault(ord(character), target[index] if index < len(target) else None)
        return f"{inner}.translate({self.constant(table)})"

    def function(self) -> str:
        """``contains``, ``starts-with`` or ``re:test`` of a string value and a literal."""
        function = self.take()
        if function not in {"contains", "starts-with", "re:test"}:
            raise Untranslatable(f"function {function!r}")
        self.take("(")
        value = self.value()
        self.take(",")
        text = self.literal()
        self.take(")")
        if function == "contains":
            return f"{text!r} in {value}"
        if function == "starts-with":
            return f"{value}.startswith({text!r})"
        return f"{self.constant(_remembered_search(text))}({value})"


@dataclass(frozen=True)
class TranslatedXPath:
    """An expression of the subset, called as lxml's ``XPath`` is: the elements below a node it selects, in document order."""

    path: str
    select: Callable[[HtmlElement], list[HtmlElement]]

    def __call__(self, node: HtmlElement) -> list[HtmlElement]:
        return self.select(node)


def translate(path: str) -> TranslatedXPath:
    """The Python form of the XPath expression ``path``; raises :class:`Untranslatable` if it is outside the subset."""
    translator = _Translator(path)
    tags, predicate, first_children = translator.path()
    descendants = f"node.iterdescendants({', '.join(tags)})" if tags else "node.iterdescendants(Element)"
    if first_children:  # in document order, the first selected child of a parent comes before its selected siblings
        source = (
            "def select(node):\n    selected, parents = [], set()\n"
            f"    for e in {descendants}:\n"
            f"        if ({predicate}) and (parent := e.getparent()) not in parents:\n"
            "            parents.add(parent)\n            selected.append(e)\n"
            "    return selected\n"
        )
    else:
        source = f"def select(node):\n    return [e for e in {descendants} if {predicate}]\n"
    namespace: dict[str, Any] = {**translator.namespace, "Element": Element}
    exec(compile(source, f"<translation of {path.strip()[:60]}>", "exec"), namespace)
    return TranslatedXPath(path, namespace["select"])


def translate_trafilatura_xpaths() -> None:
    """Put translations in the place of the expressions of ``trafilatura.xpaths`` that the subset covers.

    Each list is changed in place, so that every trafilatura module that imported it sees the change; calling
    this again changes nothing more.
    """
    for expressions in vars(xpaths).values():
        if not isinstance(expressions, list):
            continue
        for index, expression in enumerate(expressions):
            if isinstance(expression, XPath):
                try:
                    expressions[index] = translate(expression.path)
                except Untranslatable:
                    continue
