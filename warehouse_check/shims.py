"""DuckDB macros that behave like the Athena (Trino) and Redshift functions the project's SQL
uses, where DuckDB has no function of that name or one that means something else.

The translator (``translate.py``) rewrites each engine function into a call of the macro
named here (``trino_*``, ``rs_*``); anything it does not know stays an error. Each macro
follows the engine's documented behaviour on the inputs our SQL gives it, and fails (DuckDB
``error()``) where the engine would fail, so that a ``try()`` around it behaves as on the
engine. ``tests/python/test_warehouse_shims.py`` pins each macro to the engine's documented
examples.
"""

from __future__ import annotations

from typing import Literal

import duckdb

Dialect = Literal["athena", "redshift"]

# Trino text of a value cast to varchar (`cast(x as varchar)`): timestamps always carry their
# precision's digits (timestamp(6): '2026-03-01 08:00:00.000000'), unlike DuckDB's text. Values
# go through text first so that every branch binds whatever the argument's type.
_TRINO = [
    """
    trino_varchar(x) as case
        when typeof(x) = 'TIMESTAMP'
            then strftime(cast(cast(x as varchar) as timestamp), '%Y-%m-%d %H:%M:%S.%f')
        when typeof(x) = 'TIMESTAMP_MS'
            then strftime(cast(cast(x as varchar) as timestamp), '%Y-%m-%d %H:%M:%S.%g')
        when typeof(x) = 'TIMESTAMP_S'
            then strftime(cast(cast(x as varchar) as timestamp), '%Y-%m-%d %H:%M:%S')
        when typeof(x) in ('DOUBLE', 'FLOAT')
            then error('trino_varchar: the text of a double is not emulated')
        else cast(x as varchar)
    end
    """,
    # json_extract_scalar(json, path): the scalar at the path as text; null for an object, an
    # array, JSON null or a missing path
    """
    trino_json_extract_scalar(j, p) as case
        when json_type(cast(j as json), p) in ('OBJECT', 'ARRAY', 'NULL') then null
        else json_extract_string(cast(j as json), p)
    end
    """,
    # json_extract(json, path): the JSON value at the path (JSON null as JSON); SQL null for a
    # missing path
    "trino_json_extract(j, p) as json_extract(cast(j as json), p)",
    # is_json_scalar(json): true for a number, a string, true, false or null; false for an
    # object or an array
    "trino_is_json_scalar(j) as json_type(cast(j as json)) not in ('OBJECT', 'ARRAY')",
    # json_format(json): the JSON text, without spaces
    "trino_json_format(j) as cast(cast(j as json) as varchar)",
    # json_parse(text): the JSON value; an error for text that is not JSON
    "trino_json_parse(s) as json(s)",
    # from_iso8601_timestamp(text): timestamp(3) with time zone. Trino's parser needs the 'T'
    # between date and time, keeps milliseconds (further digits dropped) and reads a text
    # without offset in the session zone (UTC on Athena). Other texts fail (a failing cast:
    # DuckDB's try() refuses error(), a volatile function).
    r"""
    trino_from_iso8601_timestamp(s) as case
        when regexp_full_match(
            s, '\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?'
        )
            then date_trunc('millisecond', cast(replace(s, 'T', ' ') as timestamptz))
        else cast('from_iso8601_timestamp: cannot parse ' || s as timestamptz)
    end
    """,
    # from_unixtime_nanos(n): timestamp(9) with time zone UTC (our SQL passes a decimal); whole
    # microseconds, counted in integers (a double would lose the last digits)
    """
    trino_from_unixtime_nanos(n) as cast(make_timestamp(cast(
        cast(n as hugeint) // 1000 - case when cast(n as hugeint) % 1000 < 0 then 1 else 0 end
        as bigint)) as timestamptz)
    """,
    # to_milliseconds(interval day to second) -> bigint
    "trino_to_milliseconds(i) as cast(round(epoch(i) * 1000) as bigint)",
]

_REDSHIFT = [
    # is_valid_json(text): true for well-formed JSON, null for null
    "rs_is_valid_json(s) as json_valid(s)",
    # json_extract_path_text(text, key, ..., null_if_invalid): the value at the path as text
    # (objects and arrays as JSON text), null when absent or JSON null; invalid JSON is null
    # with null_if_invalid, an error without
    """
    rs_json_extract_path_text(j, p, null_if_invalid) as case
        when j is null then null
        when not json_valid(j) then
            case when null_if_invalid then null
            else error('json_extract_path_text: invalid JSON: ' || left(j, 60)) end
        when json_type(j, p) in ('OBJECT', 'ARRAY') then cast(json_extract(j, p) as varchar)
        when json_type(j, p) = 'NULL' then null
        else json_extract_string(j, p)
    end
    """,
    # convert_timezone(target, timestamptz): the wall-clock time in the target zone
    "rs_convert_timezone(tz, ts) as timezone(tz, cast(ts as timestamptz))",
    # cast(x as varchar(n)) / varchar / text: n is in bytes; a longer value fails here (the
    # engine cuts or refuses it: either way a value would change)
    """
    rs_varchar(x, n) as case
        when typeof(x) = 'BOOLEAN' then error('cannot cast type boolean to character varying')
        when octet_length(encode(cast(x as varchar))) > n
            then error('value too long for type character varying(' || n || '): '
                || left(cast(x as varchar), 40))
        else cast(x as varchar)
    end
    """,
]

SHIMS: dict[Dialect, list[str]] = {"athena": _TRINO, "redshift": _REDSHIFT}
NAMES: dict[Dialect, frozenset[str]] = {
    dialect: frozenset(text.strip().split("(", 1)[0] for text in texts)
    for dialect, texts in SHIMS.items()
}


def install(con: duckdb.DuckDBPyConnection, dialect: Dialect) -> None:
    """Create the dialect's macros in the connection's default schema (temporary)."""
    for text in SHIMS[dialect]:
        con.execute(f"create or replace temp macro {text.strip()}")
    # both engines divide integers as integers (toward zero); DuckDB would give a double
    con.execute("set integer_division = true")
    con.execute("set TimeZone = 'UTC'")
