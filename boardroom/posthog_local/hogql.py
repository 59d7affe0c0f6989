"""A parser for the subset of HogQL the stand-in answers.

Grammar (keywords in any case, whitespace and ``--``/``/* */`` comments free)::

    query   := SELECT item ("," item)* FROM events [WHERE cond] [ORDER BY key ("," key)*]
               [LIMIT (integer | {placeholder})] [";"]
    item    := (column | toString(uuid) | count() | count(*)) [[AS] alias]
    cond    := term (AND term)*
    term    := "(" cond ")"
             | expr op {placeholder}
             | expr [NOT] IN {placeholder}
             | "(" expr ("," expr)+ ")" op ("(" {p} ("," {p})+ ")" | {placeholder})
    key     := expr [ASC | DESC]
    op      := = | == | != | <> | < | <= | > | >=

Values come only from placeholders (``{name}``, bound from the request's ``values``): literal
values in the query text are refused, as is OFFSET (PostHog refuses it for personal-key
queries). Anything outside the subset is a 400 ``hogql_query_error`` (valid HogQL the stand-in
does not serve) or ``hogql_syntax_error`` (not HogQL), never a server error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NoReturn

from boardroom.posthog_local.errors import OFFSET_NOT_ALLOWED_MESSAGE, HogQLError, HogQLSyntaxError

GROUP_COLUMNS = tuple(f"$group_{i}" for i in range(5))
#: Columns of the events table the stand-in serves, with their ClickHouse types.
COLUMN_TYPES: dict[str, str] = {
    "uuid": "UUID",
    "event": "String",
    "distinct_id": "String",
    "timestamp": "DateTime64(6, 'UTC')",
    "created_at": "DateTime64(6, 'UTC')",
    "properties": "String",
    "person_id": "UUID",
    **dict.fromkeys(GROUP_COLUMNS, "String"),
    "toString(uuid)": "String",
}
#: Columns usable in WHERE and ORDER BY.
FILTER_COLUMNS = frozenset(
    {"uuid", "toString(uuid)", "event", "distinct_id", "timestamp", "created_at", *GROUP_COLUMNS}
)
#: Real HogQL clauses and features outside the subset: refused as unsupported, not as typos.
_UNSUPPORTED_KEYWORDS = frozenset(
    {
        "GROUP", "HAVING", "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "ARRAY", "UNION",
        "EXCEPT", "INTERSECT", "WITH", "SETTINGS", "PREWHERE", "SAMPLE", "FINAL", "WINDOW",
        "QUALIFY", "FORMAT", "INTO", "DISTINCT", "OR", "NOT", "BETWEEN", "LIKE", "ILIKE", "IS",
        "CASE", "INTERVAL", "TOP",
    }
)  # fmt: skip
_CLAUSE_KEYWORDS = frozenset({"FROM", "WHERE", "ORDER", "LIMIT", "AND", "AS", "ASC", "DESC", "IN"})
_COMPARISON_OPS = {
    "=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
}  # fmt: skip
_MULTI_CHAR_OPS = ("==", "!=", "<>", "<=", ">=")
_SINGLE_CHAR_OPS = "=<>(),*.;+-/%"
_ARITHMETIC = frozenset("+-*/%")
MAX_SELECT_ROWS = 50_000  # posthog/hogql/constants.py MAX_SELECT_RETURNED_ROWS
DEFAULT_ROWS = 100  # posthog/hogql/constants.py DEFAULT_RETURNED_ROWS

TokenKind = Literal["ident", "qident", "number", "string", "placeholder", "op", "eof"]


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    value: str
    pos: int

    def keyword(self) -> str | None:
        return self.value.upper() if self.kind == "ident" else None


@dataclass(frozen=True)
class Column:
    name: str  # a key of COLUMN_TYPES


@dataclass(frozen=True)
class Count:
    name: str = "count()"


@dataclass(frozen=True)
class SelectItem:
    expr: Column | Count
    alias: str | None = None

    @property
    def output_name(self) -> str:
        return self.alias or self.expr.name


@dataclass(frozen=True)
class Compare:
    column: str
    op: str
    placeholder: str


@dataclass(frozen=True)
class InList:
    column: str
    placeholder: str
    negated: bool = False


@dataclass(frozen=True)
class TupleCompare:
    columns: tuple[str, ...]
    op: str
    placeholders: tuple[str, ...] | str  # one placeholder per element, or one holding a list


Condition = Compare | InList | TupleCompare


@dataclass(frozen=True)
class OrderKey:
    column: str
    descending: bool = False


@dataclass
class SelectQuery:
    select: list[SelectItem]
    where: list[Condition] = field(default_factory=list)
    order_by: list[OrderKey] = field(default_factory=list)
    limit: int | str | None = None  # an integer, a placeholder name, or none given

    @property
    def is_count(self) -> bool:
        return any(isinstance(item.expr, Count) for item in self.select)


def parse(text: str) -> SelectQuery:
    """Parse one query of the subset; raises :class:`HogQLError` for anything else."""
    tokens = tokenize(text)
    for token in tokens:
        if token.keyword() == "OFFSET":
            raise HogQLError(OFFSET_NOT_ALLOWED_MESSAGE)
    return _Parser(text, tokens).query()


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise _syntax(text, i, "unterminated comment")
            i = end + 2
        elif ch.isalpha() or ch in "_$":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "_$"):
                j += 1
            tokens.append(Token("ident", text[i:j], i))
            i = j
        elif ch in '`"':
            end = text.find(ch, i + 1)
            if end < 0:
                raise _syntax(text, i, "unterminated quoted identifier")
            tokens.append(Token("qident", text[i + 1 : end], i))
            i = end + 1
        elif ch == "'":
            j = i + 1
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise _syntax(text, i, "unterminated string")
            tokens.append(Token("string", text[i : j + 1], i))
            i = j + 1
        elif ch.isdigit():
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "._"):
                j += 1
            tokens.append(Token("number", text[i:j], i))
            i = j
        elif ch == "{":
            end = text.find("}", i)
            name = text[i + 1 : end].strip() if end > 0 else ""
            if not name or not all(c.isalnum() or c in "_$" for c in name):
                raise _syntax(text, i, "a placeholder must read {name}")
            tokens.append(Token("placeholder", name, i))
            i = end + 1
        elif text.startswith(_MULTI_CHAR_OPS, i):
            tokens.append(Token("op", text[i : i + 2], i))
            i += 2
        elif ch in _SINGLE_CHAR_OPS:
            tokens.append(Token("op", ch, i))
            i += 1
        else:
            raise _syntax(text, i, f"unexpected character {ch!r}")
    tokens.append(Token("eof", "", n))
    return tokens


def _syntax(text: str, pos: int, message: str) -> HogQLSyntaxError:
    line = text.count("\n", 0, pos) + 1
    column = pos - text.rfind("\n", 0, pos)  # 1-based
    return HogQLSyntaxError(f"Syntax error at line {line}, column {column}: {message}")


class _Parser:
    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.i = 0

    # token helpers ---------------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.i]
        self.i = min(self.i + 1, len(self.tokens) - 1)
        return token

    def at_keyword(self, *words: str) -> bool:
        return self.tok.keyword() in words

    def at_op(self, *ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.value in ops

    def expect_keyword(self, word: str) -> None:
        if not self.at_keyword(word):
            self.fail(f"expected {word}")
        self.advance()

    def expect_op(self, op: str) -> None:
        if not self.at_op(op):
            self.fail(f"expected {op!r}")
        self.advance()

    def fail(self, expected: str) -> NoReturn:
        token = self.tok
        got = "end of query" if token.kind == "eof" else repr(self.text_of(token))
        if token.keyword() in _UNSUPPORTED_KEYWORDS:
            raise self.unsupported(token.value.upper())
        if token.kind == "op" and token.value in _ARITHMETIC:
            raise self.unsupported(f"Arithmetic ({token.value})")
        raise _syntax(self.text, token.pos, f"{expected}, got {got}")

    def text_of(self, token: Token) -> str:
        return token.value if token.kind != "placeholder" else "{" + token.value + "}"

    def unsupported(self, what: str) -> HogQLError:
        return HogQLError(
            f"{what} is not supported by the local PostHog stand-in. It answers SELECT of "
            "events columns FROM events with AND-ed comparisons against {placeholders}, "
            "ORDER BY and LIMIT."
        )

    # grammar ---------------------------------------------------------------------------

    def query(self) -> SelectQuery:
        self.expect_keyword("SELECT")
        if self.at_keyword("DISTINCT"):
            raise self.unsupported("SELECT DISTINCT")
        select = [self.select_item()]
        while self.at_op(","):
            self.advance()
            select.append(self.select_item())
        self.expect_keyword("FROM")
        self.table()
        query = SelectQuery(select=select)
        if self.at_keyword("WHERE"):
            self.advance()
            query.where = self.conjunction()
        if self.at_keyword("ORDER"):
            self.advance()
            self.expect_keyword("BY")
            query.order_by = [self.order_key()]
            while self.at_op(","):
                self.advance()
                query.order_by.append(self.order_key())
        if self.at_keyword("LIMIT"):
            self.advance()
            query.limit = self.limit_value()
            if self.at_op(","):  # LIMIT offset, count
                raise HogQLError(OFFSET_NOT_ALLOWED_MESSAGE)
        if self.at_op(";"):
            self.advance()
        if self.tok.kind != "eof":
            self.fail("expected end of query")
        self.check(query)
        return query

    def table(self) -> None:
        token = self.tok
        if token.kind == "op" and token.value == "(":
            raise self.unsupported("A subquery")
        if token.kind not in ("ident", "qident"):
            self.fail("expected a table name")
        self.advance()
        if token.value != "events":
            raise HogQLError(f"Unknown table `{token.value}`.")
        after = self.tok
        if after.kind == "qident" or after.keyword() not in (None, "WHERE", "ORDER", "LIMIT"):
            if after.keyword() in _UNSUPPORTED_KEYWORDS:
                raise self.unsupported(after.value.upper())
            raise self.unsupported("A table alias")

    def select_item(self) -> SelectItem:
        if self.at_op("*"):
            raise self.unsupported("SELECT *")
        expr = self.expr(allow_count=True)
        alias = None
        if self.at_keyword("AS"):
            self.advance()
            if self.tok.kind not in ("ident", "qident"):
                self.fail("expected an alias")
            alias = self.advance().value
        elif self.tok.kind == "qident" or (
            self.tok.kind == "ident"
            and self.tok.keyword() not in _CLAUSE_KEYWORDS | _UNSUPPORTED_KEYWORDS
        ):
            alias = self.advance().value
        return SelectItem(expr, alias)

    def expr(self, *, allow_count: bool = False) -> Column | Count:
        token = self.tok
        if token.kind in ("number", "string"):
            raise HogQLError(
                f"Literal value {token.value} in the query text: the local PostHog stand-in takes "
                "values only from placeholders ({name}) bound in `values`."
            )
        if token.kind == "placeholder":
            raise self.unsupported("A placeholder in this position")
        if token.kind == "qident":
            self.advance()
            return Column(self.resolve(token.value))
        if token.kind != "ident" or token.keyword() in _CLAUSE_KEYWORDS:
            self.fail("expected a column")
        if token.keyword() in _UNSUPPORTED_KEYWORDS:
            raise self.unsupported(token.value.upper())
        self.advance()
        if self.at_op("("):
            return self.call(token, allow_count=allow_count)
        name = token.value
        if self.at_op("."):
            self.advance()
            member = self.tok
            if member.kind not in ("ident", "qident"):
                self.fail("expected a field name")
            self.advance()
            if name == "events":
                name = member.value
            elif name == "properties":
                raise self.unsupported(f"Property access (properties.{member.value})")
            else:
                raise HogQLError(f"Unable to resolve field: {name}")
        return Column(self.resolve(name))

    def call(self, function: Token, *, allow_count: bool) -> Column | Count:
        self.expect_op("(")
        name = function.value.lower()
        if name == "count":
            if self.at_op("*"):
                self.advance()
            self.expect_op(")")
            if not allow_count:
                raise self.unsupported("count() outside the SELECT list")
            return Count()
        if name == "tostring":
            inner = self.expr()
            self.expect_op(")")
            if inner == Column("uuid"):
                return Column("toString(uuid)")
            raise self.unsupported(f"toString({inner.name})")
        raise self.unsupported(f"The function {function.value}()")

    def resolve(self, name: str) -> str:
        if name in COLUMN_TYPES and name != "toString(uuid)":
            return name
        if name == "elements_chain" or name.startswith(("$session_id", "$window_id", "person")):
            raise self.unsupported(f"The column {name}")
        raise HogQLError(f"Unable to resolve field: {name}")

    def conjunction(self) -> list[Condition]:
        conditions = self.term()
        while self.at_keyword("AND"):
            self.advance()
            conditions.extend(self.term())
        if self.at_keyword("OR"):
            raise self.unsupported("OR")
        return conditions

    def term(self) -> list[Condition]:
        if self.at_keyword("NOT"):
            raise self.unsupported("NOT")
        if self.at_op("("):
            start = self.i
            self.advance()
            if not self.at_op("("):
                first = self.expr()
                if self.at_op(","):
                    return [self.tuple_compare(first)]
            self.i = start + 1
            inner = self.conjunction()
            self.expect_op(")")
            return inner
        left = self.filter_column(self.expr())
        if self.at_keyword("NOT") and self.peek().keyword() == "IN":
            self.advance()
            self.advance()
            return [InList(left, self.placeholder(), negated=True)]
        if self.at_keyword("IN"):
            self.advance()
            return [InList(left, self.placeholder())]
        op = self.comparison_op()
        return [Compare(left, op, self.placeholder())]

    def tuple_compare(self, first: Column | Count) -> TupleCompare:
        columns = [self.filter_column(first)]
        while self.at_op(","):
            self.advance()
            columns.append(self.filter_column(self.expr()))
        self.expect_op(")")
        op = self.comparison_op()
        placeholders: tuple[str, ...] | str
        if self.at_op("("):
            self.advance()
            names = [self.placeholder()]
            while self.at_op(","):
                self.advance()
                names.append(self.placeholder())
            self.expect_op(")")
            if len(names) != len(columns):
                raise HogQLError(
                    f"Tuple comparison of {len(columns)} columns with {len(names)} values."
                )
            placeholders = tuple(names)
        else:
            placeholders = self.placeholder()
        return TupleCompare(tuple(columns), op, placeholders)

    def filter_column(self, expr: Column | Count) -> str:
        if isinstance(expr, Count) or expr.name not in FILTER_COLUMNS:
            raise self.unsupported(f"Filtering or sorting on {expr.name}")
        return expr.name

    def comparison_op(self) -> str:
        if self.tok.kind == "op" and self.tok.value in _COMPARISON_OPS:
            return _COMPARISON_OPS[self.advance().value]
        self.fail("expected a comparison operator")

    def placeholder(self) -> str:
        token = self.tok
        if token.kind == "placeholder":
            self.advance()
            return token.value
        if token.kind in ("number", "string"):
            self.expr()  # raises the literal refusal
        if token.kind in ("ident", "qident") or (token.kind == "op" and token.value == "("):
            raise self.unsupported(
                f"Comparing with an expression ({self.text_of(token)} ...) instead of a "
                "{placeholder}"
            )
        self.fail("expected a {placeholder}")

    def order_key(self) -> OrderKey:
        column = self.filter_column(self.expr())
        descending = False
        if self.at_keyword("ASC", "ASCENDING"):
            self.advance()
        elif self.at_keyword("DESC", "DESCENDING"):
            self.advance()
            descending = True
        if self.at_keyword("NULLS", "COLLATE", "WITH"):
            raise self.unsupported(self.tok.value.upper())
        return OrderKey(column, descending)

    def limit_value(self) -> int | str:
        token = self.tok
        if token.kind == "placeholder":
            self.advance()
            return token.value
        if token.kind == "number" and token.value.isdigit():
            self.advance()
            return int(token.value)
        self.fail("expected a row count")

    def check(self, query: SelectQuery) -> None:
        if query.is_count and len(query.select) > 1:
            raise HogQLError(
                "count() can only be selected alone here (no GROUP BY in the local stand-in)."
            )
        if query.is_count and query.order_by:
            raise self.unsupported("ORDER BY with count()")
