"""What Athena or Redshift refuses although DuckDB accepts it, checked statically on SQL text:
compiled models, tests, unit tests and analyses, every statement an emulated build sent, and
the SQL blocks of docs/deploy.md.

- reserved words used as unquoted identifiers (the engines' published lists);
- constructs an engine lacks: VALUES lists as a table (Redshift), QUALIFY (Athena);
- functions of another engine: DuckDB-only ones anywhere, Trino's on Redshift, Redshift's on
  Athena;
- on Athena, Trino's strict typing: a comparison, IN, BETWEEN, coalesce, greatest, least or
  CASE mixing text with numbers, dates or booleans, with the column types the emulation built
  (types sqlglot cannot infer are not judged).

The emulated builds enforce more (engine_rules.py and ddl.py: timestamp precisions of Hive and
Iceberg tables, varchar byte lengths, table locations); this module covers SQL that is never
executed there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from warehouse_check.shims import Dialect
from warehouse_check.statement import strip_comments
from warehouse_check.translate import READ, TranslationError, parse

# docs.aws.amazon.com/redshift/latest/dg/r_pg_keywords.html
REDSHIFT_RESERVED = frozenset(
    """AES128 AES256 ALL ALLOWOVERWRITE ANALYSE ANALYZE AND ANY ARRAY AS ASC AUTHORIZATION AZ64
     BACKUP BETWEEN BINARY BLANKSASNULL BOTH BYTEDICT BZIP2 CASE CAST CHECK COLLATE COLUMN
     CONSTRAINT CREATE CREDENTIALS CROSS CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP
     CURRENT_USER CURRENT_USER_ID DEFAULT DEFERRABLE DEFLATE DEFRAG DELTA DELTA32K DESC
     DISABLE DISTINCT DO ELSE EMPTYASNULL ENABLE ENCODE ENCRYPT ENCRYPTION END EXCEPT
     EXPLICIT FALSE FOR FOREIGN FREEZE FROM FULL GLOBALDICT256 GLOBALDICT64K GRANT GROUP
     GZIP HAVING IDENTITY IGNORE ILIKE IN INITIALLY INNER INTERSECT INTERVAL INTO IS ISNULL
     JOIN LEADING LEFT LIKE LIMIT LOCALTIME LOCALTIMESTAMP LUN LUNS LZO LZOP MINUS MOSTLY16
     MOSTLY32 MOSTLY8 NATURAL NEW NOT NOTNULL NULL NULLS OFF OFFLINE OFFSET OID OLD ON ONLY
     OPEN OR ORDER OUTER OVERLAPS PARALLEL PARTITION PERCENT PERMISSIONS PIVOT PLACING
     PRIMARY RAW READRATIO RECOVER REFERENCES REJECTLOG RESORT RESPECT RESTORE RIGHT SELECT
     SESSION_USER SIMILAR SNAPSHOT SOME SYSDATE SYSTEM TABLE TAG TDES TEXT255 TEXT32K THEN
     TIMESTAMP TO TOP TRAILING TRUE TRUNCATECOLUMNS UNION UNIQUE UNNEST UNPIVOT USER USING
     VERBOSE WALLET WHEN WHERE WITH WITHOUT""".split()  # noqa: SIM905
)
# Athena's reserved words in queries (Trino's reserved keywords;
# docs.aws.amazon.com/athena/latest/ug/reserved-words.html)
ATHENA_RESERVED = frozenset(
    """ALTER AND AS BETWEEN BY CASE CAST CONSTRAINT CREATE CROSS CUBE CURRENT_CATALOG
     CURRENT_DATE CURRENT_PATH CURRENT_ROLE CURRENT_SCHEMA CURRENT_TIME CURRENT_TIMESTAMP
     CURRENT_USER DEALLOCATE DELETE DESCRIBE DISTINCT DROP ELSE END ESCAPE EXCEPT EXECUTE
     EXISTS EXTRACT FALSE FIRST FOR FROM FULL GROUP GROUPING HAVING IN INNER INSERT
     INTERSECT INTO IS JOIN JSON_ARRAY JSON_EXISTS JSON_OBJECT JSON_QUERY JSON_TABLE
     JSON_VALUE LAST LEFT LIKE LISTAGG LOCALTIME LOCALTIMESTAMP NATURAL NORMALIZE NOT NULL
     OF ON OR ORDER OUTER PREPARE RECURSIVE RIGHT ROLLUP SELECT SKIP TABLE THEN TRIM TRUE
     UESCAPE UNION UNNEST USING VALUES WHEN WHERE WITH""".split()  # noqa: SIM905
)
RESERVED: dict[Dialect, frozenset[str]] = {
    "athena": ATHENA_RESERVED,
    "redshift": REDSHIFT_RESERVED,
}

# Functions and syntax only DuckDB has (or that mean something else elsewhere)
DUCKDB_ONLY = [
    r"\bread_parquet\s*\(",
    r"\bregexp_full_match\s*\(",
    r"\bjson_valid\s*\(",
    r"\bjson_extract_string\s*\(",
    r"\bjson_type\s*\(",
    r"\bisodow\b",
    r"\bstring_agg\s*\(",
    r"\blist_\w+\s*\(",
    r"\bstrftime\s*\(",
    r"\bepoch_ms\s*\(",
    r"\btimezone\s*\(",
    r"\btimestamptz\b(?!\s*\))",
    r"\bexclude\s*\(",
    r"\w::\w",
]
FOREIGN: dict[Dialect, list[str]] = {
    "redshift": [r"\btry\s*\(", r"\bjson_parse\s*\(", r"\bfrom_iso8601_timestamp\s*\("],
    "athena": [
        r"\bqualify\b",  # Athena has no QUALIFY (and sqlglot's Trino does not parse it)
        r"\bconvert_timezone\s*\(",
        r"\bjson_extract_path_text\s*\(",
        r"\bis_valid_json\s*\(",
        r"\w ~ '",
        r"\bto_char\s*\(",
    ],
}
_PLACEHOLDER = re.compile(r"<[^<>\n]+>")
_FENCE = re.compile(r"^```sql[ \t]+(\w+)[ \t]*\n(.*?)^```", re.M | re.S)


@dataclass(frozen=True)
class Finding:
    where: str
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.where}: {self.rule}: {self.detail}"


def check_sql(sql: str, dialect: Dialect, where: str) -> list[Finding]:
    """Every capability problem of one SQL text (one or more statements) for an engine."""
    text = strip_comments(sql)
    if not text:
        return []
    findings = _functions(text, dialect, where)
    try:
        trees = parse(text, dialect)
    except TranslationError as exc:
        return [*findings, Finding(where, "syntax", str(exc))]
    for tree in trees:
        findings += _reserved(tree, dialect, where)
        if dialect == "redshift":
            for values in tree.find_all(exp.Values):
                if not isinstance(values.parent, exp.Insert):
                    findings.append(Finding(where, "unsupported", "VALUES list used as a table"))
        elif tree.find(exp.Qualify) is not None:
            findings.append(Finding(where, "unsupported", "QUALIFY"))
    return findings


def _functions(text: str, dialect: Dialect, where: str) -> list[Finding]:
    bare = re.sub(r"'(?:[^']|'')*'", "''", text)  # not inside string literals
    return [
        Finding(where, "foreign function", pattern)
        for pattern in DUCKDB_ONLY + FOREIGN[dialect]
        if re.search(pattern, bare, flags=re.IGNORECASE)
    ]


def _reserved(tree: exp.Expr, dialect: Dialect, where: str) -> list[Finding]:
    words = RESERVED[dialect]
    if isinstance(tree, exp.Command):  # not parsed further: the names its keywords introduce
        names = _command_names(tree.sql(dialect=READ[dialect]), dialect)
    else:
        names = {i.name for i in tree.find_all(exp.Identifier) if not i.quoted}
    return [
        Finding(where, "reserved word", f"{name} is reserved in {dialect}; quote or rename it")
        for name in sorted(names)
        if name.upper() in words
    ]


_INTRODUCERS = {"SCHEMA", "USER", "ROLE", "GROUP", "TABLE", "VIEW", "DATABASE", "TO"}


def _command_names(sql: str, dialect: Dialect) -> set[str]:
    """Unquoted names after SCHEMA, USER, ROLE, GROUP, TABLE, VIEW, DATABASE and TO in a
    statement sqlglot keeps as a command (create external schema, create user, grant ...)."""
    names = set()
    for before, token in pairwise(READ[dialect]().tokenize(sql)):
        introduced = before.text.upper() in _INTRODUCERS
        named = token.text.upper() not in _INTRODUCERS and token.text.isidentifier()
        if introduced and named and token.token_type.name not in ("STRING", "IDENTIFIER"):
            names.add(token.text)
    return names


def sql_blocks(markdown: str) -> list[tuple[Dialect, str]]:
    """The ```sql <engine> blocks of a Markdown text; a sql block without its engine, or with
    another word, is an error (every SQL snippet of the guide is checked)."""
    blocks: list[tuple[Dialect, str]] = []
    if re.search(r"^```sql[ \t]*$", markdown, re.M):
        raise ValueError("a ```sql block does not say its engine (```sql athena|redshift)")
    for engine, body in _FENCE.findall(markdown):
        if engine not in RESERVED:
            raise ValueError(f"```sql {engine}: the engine must be athena or redshift")
        # a guide's <placeholder> (an account, a user) stands for a name
        blocks.append((engine, _PLACEHOLDER.sub("placeholder", body)))
    return blocks


# -- Trino's strict types (Athena) ---------------------------------------------------------

_FAMILIES = {
    "text": {"VARCHAR", "CHAR", "TEXT", "NVARCHAR", "NCHAR"},
    "number": {"TINYINT", "SMALLINT", "INT", "BIGINT", "DOUBLE", "FLOAT", "DECIMAL", "BIGDECIMAL"},
    "time": {"DATE", "TIMESTAMP", "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMPTZ", "DATETIME"},
    "boolean": {"BOOLEAN"},
}


def _family(node: exp.Expr) -> str | None:
    kind = node.type
    if kind is None:
        return None
    name = kind.this.name
    for family, names in _FAMILIES.items():
        if name in names:
            return family
    return None


def strict_type_conflicts(sql: str, schema: dict[str, object], where: str) -> list[Finding]:
    """Athena: operands Trino refuses to compare or combine (text with numbers, dates or
    booleans). `schema`: {database: {table: {column: Trino type}}}."""
    findings: list[Finding] = []
    try:
        trees = parse(strip_comments(sql), "athena")
    except TranslationError:
        return findings  # check_sql reports it
    for tree in trees:
        try:
            typed = annotate_types(
                qualify(
                    tree.copy(),
                    schema=schema,
                    dialect="trino",
                    validate_qualify_columns=False,
                    identify=False,
                ),
                schema=schema,
                dialect="trino",
            )
        except (OptimizeError, ParseError, KeyError, ValueError):
            continue
        findings += _conflicts(typed, where)
    return findings


def _conflicts(tree: exp.Expr, where: str) -> list[Finding]:
    found: list[Finding] = []
    comparisons = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
    for node in tree.walk():
        groups: list[list[exp.Expr]] = []
        if isinstance(node, comparisons):
            groups.append([node.this, node.expression])
        elif isinstance(node, exp.In) and node.expressions:
            groups.append([node.this, *node.expressions])
        elif isinstance(node, exp.Between):
            groups.append([node.this, node.args["low"], node.args["high"]])
        elif isinstance(node, exp.Coalesce | exp.Greatest | exp.Least):
            groups.append([node.this, *node.expressions])
        elif isinstance(node, exp.Case):
            results = [i.args["true"] for i in node.args.get("ifs") or []]
            if node.args.get("default") is not None:
                results.append(node.args["default"])
            groups.append(results)
        for operands in groups:
            families = {f for o in operands if (f := _family(o)) and not isinstance(o, exp.Null)}
            if "text" in families and len(families) > 1:
                found.append(
                    Finding(where, "strict types", f"{sorted(families)} in {node.sql()[:120]}")
                )
    return found
