"""The engines' rules DuckDB does not enforce, on queries and on the tables a CTAS made:
Redshift refuses a VALUES list used as a table, Athena refuses QUALIFY, and Athena's Hive
tables need timestamp(3) columns and a location of their own (with the workgroup's settings
enforced), its Iceberg tables timestamp(6). The other rules (Redshift's varchar(n) limits,
grants to roles only) are part of the DDL they apply to (``ddl``).
"""

from __future__ import annotations

from sqlglot import exp

from warehouse_check.shims import Dialect
from warehouse_check.statement import StatementError


def check_query(tree: exp.Expr, dialect: Dialect) -> None:
    if dialect == "redshift":
        for values in tree.find_all(exp.Values):
            if not isinstance(values.parent, exp.Insert):
                raise StatementError("Redshift does not support a VALUES list as a table")
    elif tree.find(exp.Qualify):
        raise StatementError("Athena does not support QUALIFY")


def check_athena_table(
    schema: str, name: str, table_type: str, location: str, columns: list[tuple[str, str]]
) -> None:
    """Athena's rules for the table a CTAS created (Redshift has none to add here)."""
    wrong = {"iceberg": ("TIMESTAMP_MS", "TIMESTAMP_S"), "hive": ("TIMESTAMP",)}[table_type]
    precision = {"iceberg": "timestamp(6)", "hive": "timestamp(3)"}[table_type]
    bad = [c for c, t in columns if t in wrong]
    if bad:
        raise StatementError(
            f"Athena: {table_type} table {schema}.{name} needs {precision} columns,"
            f" not {bad} (Incorrect timestamp precision)"
        )
    if table_type == "hive" and not location:
        raise StatementError(
            f"Athena: Hive table {schema}.{name} has no location of its own: with the"
            " workgroup's settings enforced its data goes under the query-result prefix"
            " (expired by the lifecycle rule)"
        )
