"""Which DMS settings a table's CSV files show: header, ``Op`` in full load, the timestamp and
change-sequence columns, and so the table's own columns in each file.

Decided per file, then for the table:

- **header**: the first record is a header when its fields are distinct names and something
  confirms it: it starts with ``Op`` (DMS's name for the change column), most fields are
  DDL column names, a field does not fit the type every later value of its column has (a
  name above numbers or dates), or the same record opens another file of the table. A
  full-load file may have a header while CDC files have none: each file says for itself.
- **Op**: CDC records always start with it. In headerless full-load files it is there when
  they have as many fields as the CDC files (one more than without), or, with no CDC file to
  compare, when the first field is ``I`` in every record.
- **timestamp column**: right after ``Op`` (first in full-load files without it), every
  value ``yyyy-MM-dd HH:mm:ss.SSSSSS`` (six digits: DMS's format, not a table's).
- **change sequence**: the last field, 35-digit numbers (increasing within a file; if they
  do not, that is reported), present in CDC records (full-load rows may leave it empty).
With a header the names come from it; without one the table's columns are ``col_1..col_n``
(or the DDL's names, by position). Without a header, when later files have more columns than
earlier ones (never fewer), the columns only the later files have are drafted
``added_later`` (a source appends an added column), for the user to confirm.

One module on purpose (about 320 lines, a fifth of it this description): each decision
reads the ones before it (the header decides where Op is looked for, Op where the timestamp
is, all three which fields are the table's columns), so they are read in one place, in that
order.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter

import pyarrow as pa

from ingestion.column_types import parse_type
from ingestion.identifiers import IDENTIFIER
from ingestion.inference.csvtypes import choose_type, misfit
from ingestion.inference.layout import (
    CHANGE_SEQ,
    DEFAULT_CHANGE_SEQ_NAME,
    DEFAULT_TIMESTAMP_NAME,
    DMS_TIMESTAMP,
    FileLayout,
    TableLayout,
    all_match,
    data_positions,
)
from ingestion.inference.sample import CsvSample
from ingestion.inference.value_stats import value_stats

# What a source may call a column: a letter (any script), _, $, # or @ first, or a digit when a
# letter follows somewhere (``2fa_enabled``; ``007`` or ``2024-01-01`` are values). Wider than a
# plain identifier on purpose: such a header must be found, then refused, not read as data.
_NAME_LIKE = re.compile(r"^(?:[^\W\d]|[$#@]|\d(?=[\w$#@ .-]*[^\W\d_]))[\w$#@ .-]{0,127}$")


def _increasing(values: pa.Array) -> bool:
    present = [v for v in values.to_pylist() if v is not None]
    return all(a <= b for a, b in itertools.pairwise(present))


def _rows(sample: CsvSample, index: int, start: int) -> pa.Array:
    return sample.fields[index].slice(start)


def _plausible_header(record: list[str | None]) -> bool:
    if not record or any(f is None or not f.strip() for f in record):
        return False
    names = [str(f).strip() for f in record]
    return all(_NAME_LIKE.match(n) for n in names) and len({n.lower() for n in names}) == len(names)


def _type_break(sample: CsvSample) -> bool:
    """Some column's later values all have a type its first value does not fit."""
    if sample.records < 2:
        return False
    for index in range(len(sample.fields)):
        rest = value_stats(_rows(sample, index, 1))
        choice = choose_type(rest)
        if choice.undecided or choice.type == "varchar":
            continue
        first = value_stats(sample.fields[index].slice(0, 1))
        if misfit(first, parse_type(choice.type)) is not None:
            return True
    return False


def _header_evidence(
    sample: CsvSample, firsts: Counter[tuple[str, ...]], ddl_names: set[str]
) -> str | None:
    """Why the first record of ``sample`` is a header, or None."""
    record = sample.first_record()
    if not _plausible_header(record):
        return None
    names = [str(f).strip() for f in record]
    if names[0].lower() == "op":
        return "starts with Op"
    if ddl_names and sum(n.lower() in ddl_names for n in names) * 2 >= len(names):
        return "names the DDL's columns"
    if firsts[tuple(names)] > 1:
        return "opens several files"
    if _type_break(sample):
        return "its fields do not fit the types of the values below"
    return None


def _decide_headers(
    samples: list[CsvSample], ddl_names: set[str], layout: TableLayout
) -> dict[str, list[str] | None]:
    firsts: Counter[tuple[str, ...]] = Counter(
        tuple(str(f).strip() for f in s.first_record()) for s in samples if s.records
    )
    headers: dict[str, list[str] | None] = {}
    reasons: list[str] = []
    for sample in samples:
        evidence = _header_evidence(sample, firsts, ddl_names)
        headers[sample.file.key] = (
            [str(f).strip() for f in sample.first_record()] if evidence else None
        )
        if evidence:
            reasons.append(evidence)
    known = {tuple(h) for h in headers.values() if h}
    for sample in samples:
        record = tuple(str(f).strip() for f in sample.first_record())
        if headers[sample.file.key] is None and record in known:
            headers[sample.file.key] = list(record)
        elif headers[sample.file.key] is None and _plausible_header(sample.first_record()):
            layout.notes.append(
                f"{sample.file.key}: the first record looks like names but nothing confirms a "
                "header (read as data)"
            )
    with_header = [k for k, h in headers.items() if h is not None]
    if with_header:
        layout.header = True
        without = len(headers) - len(with_header)
        why = reasons[0] if reasons else "same names"
        layout.header_reason = f"header in {len(with_header)} of {len(headers)} file(s) ({why})"
        if without:
            layout.header_reason += f"; {without} file(s) without"
    else:
        layout.header = False
        layout.header_reason = f"no header in {len(headers)} file(s)"
    return headers


def _count_of_cdc(samples: list[CsvSample]) -> int | None:
    counts = Counter(len(s.fields) for s in samples if s.file.kind == "cdc" and s.records)
    return counts.most_common(1)[0][0] if counts else None


def _op_of_load(
    sample: CsvSample, header: list[str] | None, cdc_count: int | None
) -> tuple[bool, str]:
    if header is not None:
        return header[0].lower() == "op", "the full-load header" + (
            " starts with Op" if header[0].lower() == "op" else " has no Op"
        )
    count = len(sample.fields)
    if cdc_count is not None and count == cdc_count:
        return True, "as many fields as the CDC files"
    if cdc_count is not None and count == cdc_count - 1:
        return False, "one field fewer than the CDC files"
    if all_match(_rows(sample, 0, 0), "^I$"):
        return True, "the first field is I in every record"
    return False, "the first field is not always I"


def detect_csv_layout(samples: list[CsvSample], ddl_names: list[str] | None) -> TableLayout:
    """The settings and columns a table's CSV files show (see the module docstring)."""
    layout = TableLayout(files=[], columns=[], header=None)
    with_rows = [s for s in samples if s.records]
    layout.empty_files = [s.file.key for s in samples if not s.records]
    if not with_rows:
        layout.notes.append("every file is empty: nothing to infer from")
        return layout
    layout.delimiter = Counter(s.delimiter for s in with_rows).most_common(1)[0][0]
    ddl_lower = {n.lower() for n in ddl_names or []}
    headers = _decide_headers(with_rows, ddl_lower, layout)
    cdc_count = _count_of_cdc(with_rows)
    load_ops: list[tuple[bool, str]] = []
    files: list[FileLayout] = []
    for sample in with_rows:
        header = headers[sample.file.key]
        if sample.file.kind == "load":
            op, why = _op_of_load(sample, header, cdc_count)
            load_ops.append((op, why))
        else:
            op = header[0].lower() == "op" if header else True
            ops = _rows(sample, 0, 1 if header else 0)
            if op and not all_match(ops, "^[IUD]$"):
                layout.notes.append(
                    f"{sample.file.key}: CDC records whose first field is not always I, U or D"
                )
        files.append(FileLayout(sample.file.key, sample.file.kind, header, len(sample.fields), op))
    if load_ops:
        votes = Counter(op for op, _ in load_ops)
        layout.op_in_load = votes.most_common(1)[0][0]
        layout.op_reason = next(why for op, why in load_ops if op == layout.op_in_load)
        if len(votes) > 1:
            layout.notes.append("some full-load files have Op and others not")
    _detect_timestamp(with_rows, files, layout)
    _detect_change_seq(with_rows, files, layout)
    _assign_columns(files, layout, ddl_names)
    layout.files = files
    return layout


def _detect_timestamp(
    samples: list[CsvSample], files: list[FileLayout], layout: TableLayout
) -> None:
    verdicts: list[bool] = []
    name: str | None = None
    for sample, file in zip(samples, files, strict=True):
        position = 1 if file.op else 0
        if position >= file.field_count or sample.records <= file.data_start:
            continue
        match = all_match(_rows(sample, position, file.data_start), DMS_TIMESTAMP)
        verdicts.append(match)
        if match and file.header and name is None:
            name = file.header[position]
    if verdicts and all(verdicts):
        layout.timestamp_name = name or DEFAULT_TIMESTAMP_NAME
        layout.timestamp_reason = "values yyyy-MM-dd HH:mm:ss.SSSSSS in every record " + (
            "right after Op" if any(f.op for f in files) else "in the first field"
        )
        if name is None:
            layout.timestamp_reason += f" (no header: named {DEFAULT_TIMESTAMP_NAME})"
        for file in files:
            file.timestamp = True
    elif any(verdicts):
        layout.notes.append("a DMS timestamp column in some files only: read as a table column")


def _detect_change_seq(
    samples: list[CsvSample], files: list[FileLayout], layout: TableLayout
) -> None:
    verdicts: list[bool] = []
    seen_value = False
    name: str | None = None
    for sample, file in zip(samples, files, strict=True):
        if sample.records <= file.data_start:
            continue
        values = _rows(sample, file.field_count - 1, file.data_start)
        loose = file.kind == "load"
        match = all_match(values, CHANGE_SEQ, allow_null=loose)
        if match and not _increasing(values):
            layout.notes.append(
                f"{file.key}: the change sequence (35 digits, last field) does not increase "
                "within the file"
            )
        verdicts.append(match)
        seen_value = seen_value or values.null_count < len(values)
        if match and file.header and name is None:
            name = file.header[-1]
    if verdicts and all(verdicts) and seen_value:
        layout.change_seq_name = name or DEFAULT_CHANGE_SEQ_NAME
        layout.change_seq_reason = "35-digit numbers in the last field" + (
            "" if name else f" (no header: named {DEFAULT_CHANGE_SEQ_NAME})"
        )
        for file in files:
            file.change_seq = True
    elif verdicts and all(verdicts):
        layout.notes.append(
            "the last field is empty in every full-load record and no CDC file says more: "
            "read as a table column (a change sequence would be filled in CDC files)"
        )


def _assign_columns(
    files: list[FileLayout],
    layout: TableLayout,
    ddl_names: list[str] | None,
) -> None:
    columns: list[str] = []
    by_count: dict[int, list[str]] = {}
    for file in files:
        if file.header is None:
            continue
        positions = data_positions(file)
        names = [file.header[i] for i in positions]
        by_count.setdefault(len(names), names)
        for i, name in zip(positions, names, strict=True):
            file.columns[name] = i
            if name.lower() not in {c.lower() for c in columns}:
                columns.append(name)
    counts = Counter(len(data_positions(f)) for f in files if f.header is None)
    if counts and not columns:
        width = max(counts)
        if ddl_names:
            columns = list(ddl_names[:width]) + [
                f"col_{i + 1}" for i in range(len(ddl_names), width)
            ]
            if width != len(ddl_names):
                layout.notes.append(
                    f"files have {width} table columns, the DDL {len(ddl_names)}: matched by "
                    "position"
                )
        else:
            columns = [f"col_{i + 1}" for i in range(width)]
            layout.generated_names = True
        if len(counts) > 1:
            layout.notes.append(
                "files without a header have different column counts "
                f"({', '.join(str(c) for c in sorted(counts))}): matched by position, so a "
                "column added or dropped in the middle cannot be told apart"
            )
            widths = [len(data_positions(f)) for f in files if f.header is None]
            if all(a <= b for a, b in itertools.pairwise(widths)):  # columns only gained
                layout.added_later = columns[min(counts) : width]
    for file in files:
        if file.header is not None:
            continue
        positions = data_positions(file)
        names = by_count.get(len(positions), columns[: len(positions)])
        if len(positions) not in by_count and by_count:
            layout.notes.append(
                f"{file.key}: no header and {len(positions)} table columns, which no header "
                "file has: matched by position"
            )
        for i, name in zip(positions, names, strict=False):
            file.columns[name] = i
    layout.columns = columns
    bad = [c for c in columns if not IDENTIFIER.match(c)]
    if bad and layout.header:  # without a header they are the DDL's: draft.py says so
        layout.errors.append(
            f"column names that are not plain identifiers (letters, digits, _): {bad}; "
            "landing cannot read such a header: rename them in the DMS task (a transformation "
            "rule with rule-action rename)"
        )
