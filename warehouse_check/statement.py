"""One statement as the emulated engine sees it: its text without comments
(``strip_comments``), its rows (``Result``), and ``StatementError`` when the engine would
refuse it or it cannot be emulated."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


class StatementError(Exception):
    """The engine would refuse this statement, or it could not be emulated."""


@dataclass
class Result:
    columns: list[tuple[str, str]] = field(default_factory=list)  # (name, DuckDB type)
    rows: list[tuple[Any, ...]] = field(default_factory=list)


_COMMENT_OR_STRING = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.S)


def strip_comments(sql: str) -> str:
    """The statement without comments (dbt's query header), outside string literals."""

    def keep_strings(found: re.Match[str]) -> str:
        text = found.group(0)
        return text if text.startswith("'") else " " if text.startswith("/*") else ""

    return _COMMENT_OR_STRING.sub(keep_strings, sql).strip().rstrip(";").strip()
