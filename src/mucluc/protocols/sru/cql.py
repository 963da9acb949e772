"""A parser for CQL, the Contextual Query Language of SRU (CQL 1.2; searchRetrieve 2.0 part 5).

Recursive descent over the CQL 1.2 grammar, which is short::

    cqlQuery      ::= prefixAssignment cqlQuery | scopedClause [sortby sortSpec]
    prefixAssign  ::= '>' prefix '=' uri | '>' uri
    scopedClause  ::= scopedClause booleanGroup searchClause | searchClause
    booleanGroup  ::= ('and' | 'or' | 'not' | 'prox') modifierList?
    searchClause  ::= '(' cqlQuery ')' | index relation searchTerm | searchTerm
    relation      ::= ('=' | '>' | '<' | '>=' | '<=' | '<>' | '==' | name) modifierList?
    modifierList  ::= ('/' name (comparitorSymbol value)?)+
    sortSpec      ::= (index modifierList?)+

Booleans all bind alike, left to right; keywords are case-insensitive, and
any of them may be a term when quoted. A term keeps its backslash escapes,
so the translator can tell a masking `*` from an escaped one. Syntax errors
raise `SruError` with diagnostic 10 (13 for brackets, 14 for quotes), the
character offset in the details. This module only parses: what the indexes
and relations mean is `translation.py`'s business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mucluc.protocols.sru.diagnostics import SruDiagnostic, SruError

MAX_CQL_CHARACTERS = 2000
MAX_NESTING_DEPTH = 50
BOOLEANS = frozenset({"and", "or", "not", "prox"})
COMPARITOR_SYMBOLS = frozenset({"=", ">", "<", ">=", "<=", "<>", "=="})
SERVER_CHOICE_INDEX = "cql.serverChoice"

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<slash>/)
  | (?P<symbol>>=|<=|<>|==|=|<|>)
  | (?P<quoted>"(?:[^"\\]|\\.)*")
  | (?P<unclosed>"(?:[^"\\]|\\.)*\\?$)
  | (?P<word>[^\s()=<>"/]+)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Modifier:
    """A `/name` or `/name=value` modifier on a relation, boolean or sort key."""

    name: str
    comparison: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class SearchClause:
    """`index relation term`; a bare term has the server-choice index and relation `=`.

    `context_set` is the index's prefix, or the identifier a prefix
    assignment gave it ("dc", or "info:srw/cql-context-set/1/dc-v1.1");
    `name` is the index name without the prefix. `term` keeps backslash
    escapes; `position` is the offset of the clause in the query.
    """

    context_set: str
    name: str
    relation: str
    modifiers: tuple[Modifier, ...]
    term: str
    position: int

    @property
    def index(self) -> str:
        """The index as written (without a prefix assignment's substitution)."""
        return f"{self.context_set}.{self.name}" if self.context_set else self.name


@dataclass(frozen=True)
class BooleanClause:
    """`left operator right`, operator one of and, or, not, prox (lower case)."""

    operator: str
    modifiers: tuple[Modifier, ...]
    left: CqlNode
    right: CqlNode
    position: int


CqlNode = SearchClause | BooleanClause


@dataclass(frozen=True)
class SortSpec:
    """One key of a `sortby` clause: an index and its modifiers (sort.descending …)."""

    context_set: str
    name: str
    modifiers: tuple[Modifier, ...]


@dataclass(frozen=True)
class CqlQuery:
    """A parsed query: its clauses and its sort keys (empty when there is no sortby)."""

    root: CqlNode
    sort: tuple[SortSpec, ...] = ()


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int

    @property
    def keyword(self) -> str:
        return self.text.lower() if self.kind == "word" else ""


def _syntax_error(message: str, position: int, code: SruDiagnostic | None = None) -> SruError:
    return SruError(
        code or SruDiagnostic.QUERY_SYNTAX_ERROR,
        str(position),
        f"{message} (at character {position + 1})",
    )


def _tokenise(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "word"
        if kind == "space":
            continue
        if kind == "unclosed":
            raise _syntax_error(
                "a quotation mark is never closed",
                match.start(),
                SruDiagnostic.INVALID_USE_OF_QUOTES,
            )
        tokens.append(_Token(kind, match.group(), match.start()))
    return tokens


def _unquote(token: _Token) -> str:
    """The text of a word or quoted string, quotes removed and escapes kept."""
    if token.kind == "quoted":
        return token.text[1:-1]
    return token.text


def _split_index(index: str) -> tuple[str, str]:
    prefix, dot, name = index.rpartition(".")
    return (prefix, name) if dot else ("", index)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenise(text)
        self.position = 0
        self.prefixes: list[dict[str, str]] = [{}]
        self.depth = 0

    def peek(self, ahead: int = 0) -> _Token | None:
        index = self.position + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise _syntax_error("the query ends too soon", len(self.text))
        self.position += 1
        return token

    def parse(self) -> CqlQuery:
        if not self.tokens:
            raise _syntax_error("the query is empty", 0)
        root = self.parse_query()
        sort: tuple[SortSpec, ...] = ()
        token = self.peek()
        if token is not None and token.keyword == "sortby":
            self.take()
            sort = self.parse_sort()
            token = self.peek()
        if token is not None:
            code = SruDiagnostic.INVALID_USE_OF_PARENTHESES if token.kind == "close" else None
            raise _syntax_error(f"unexpected {token.text!r}", token.position, code)
        return CqlQuery(root, sort)

    def parse_query(self) -> CqlNode:
        self.depth += 1
        if self.depth > MAX_NESTING_DEPTH:
            raise _syntax_error("the query is nested too deeply", self.peek_position())
        pushed = False
        while (token := self.peek()) is not None and token.kind == "symbol" and token.text == ">":
            if not pushed:
                self.prefixes.append(dict(self.prefixes[-1]))
                pushed = True
            self.parse_prefix_assignment()
        node = self.parse_scoped_clause()
        if pushed:
            self.prefixes.pop()
        self.depth -= 1
        return node

    def peek_position(self) -> int:
        token = self.peek()
        return token.position if token is not None else len(self.text)

    def parse_prefix_assignment(self) -> None:
        self.take()  # '>'
        first = self.take_term("a context set name or identifier")
        following = self.peek()
        if following is not None and following.kind == "symbol" and following.text == "=":
            self.take()
            identifier = self.take_term("a context set identifier")
            self.prefixes[-1][_unquote(first)] = _unquote(identifier)
        else:
            self.prefixes[-1][""] = _unquote(first)

    def take_term(self, wanted: str) -> _Token:
        token = self.peek()
        if token is None or token.kind not in ("word", "quoted"):
            raise _syntax_error(f"{wanted} was expected", self.peek_position())
        return self.take()

    def parse_scoped_clause(self) -> CqlNode:
        node = self.parse_search_clause()
        while (token := self.peek()) is not None and token.keyword in BOOLEANS:
            self.take()
            modifiers = self.parse_modifiers()
            right = self.parse_search_clause()
            node = BooleanClause(token.keyword, modifiers, node, right, token.position)
        return node

    def parse_search_clause(self) -> CqlNode:
        token = self.peek()
        if token is None:
            raise _syntax_error("a search term was expected", len(self.text))
        if token.kind == "open":
            self.take()
            node = self.parse_query()
            closing = self.peek()
            if closing is None or closing.kind != "close":
                raise _syntax_error(
                    "a bracket is never closed",
                    token.position,
                    SruDiagnostic.INVALID_USE_OF_PARENTHESES,
                )
            self.take()
            return node
        if token.kind not in ("word", "quoted"):
            code = SruDiagnostic.INVALID_USE_OF_PARENTHESES if token.kind == "close" else None
            raise _syntax_error(
                f"a search term was expected, not {token.text!r}", token.position, code
            )
        following = self.peek(1)
        if following is not None and self.starts_relation(following):
            self.take()
            relation = self.take()
            modifiers = self.parse_modifiers()
            term = self.take_term(f"a search term after {relation.text!r}")
            context_set, name = self.resolve_index(_unquote(token))
            return SearchClause(
                context_set,
                name,
                relation.text.lower() if relation.kind == "word" else relation.text,
                modifiers,
                _unquote(term),
                token.position,
            )
        self.take()
        context_set, name = self.resolve_index(SERVER_CHOICE_INDEX)
        return SearchClause(context_set, name, "=", (), _unquote(token), token.position)

    def starts_relation(self, token: _Token) -> bool:
        if token.kind == "symbol":
            return True
        return token.kind == "word" and token.keyword not in BOOLEANS | {"sortby"}

    def resolve_index(self, index: str) -> tuple[str, str]:
        prefix, name = _split_index(index)
        return self.prefixes[-1].get(prefix, prefix), name

    def parse_modifiers(self) -> tuple[Modifier, ...]:
        modifiers = []
        while (token := self.peek()) is not None and token.kind == "slash":
            self.take()
            name = self.take_term("a modifier name after '/'")
            following = self.peek()
            if following is not None and following.kind == "symbol":
                self.take()
                value = self.take_term(f"a value after {following.text!r}")
                modifiers.append(Modifier(_unquote(name), following.text, _unquote(value)))
            else:
                modifiers.append(Modifier(_unquote(name)))
        return tuple(modifiers)

    def parse_sort(self) -> tuple[SortSpec, ...]:
        keys = []
        while (token := self.peek()) is not None and token.kind in ("word", "quoted"):
            self.take()
            context_set, name = self.resolve_index(_unquote(token))
            keys.append(SortSpec(context_set, name, self.parse_modifiers()))
        if not keys:
            raise _syntax_error("sortby needs at least one index", self.peek_position())
        return tuple(keys)


def parse_cql(text: str) -> CqlQuery:
    """Parse a CQL query; raise SruError (10, 12, 13 or 14) for a malformed one.

    >>> parse_cql('dc.title any "lịch sử" and dc.date > 2000').root.operator
    'and'
    """
    if len(text) > MAX_CQL_CHARACTERS:
        raise SruError(
            SruDiagnostic.TOO_MANY_CHARACTERS_IN_QUERY,
            str(MAX_CQL_CHARACTERS),
            f"the query is longer than {MAX_CQL_CHARACTERS} characters",
        )
    return _Parser(text).parse()
