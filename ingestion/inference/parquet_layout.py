"""Which DMS settings a table's Parquet files show, and its columns: names come with the
schema; Op is a first column named ``Op``; the timestamp and change-sequence columns are
recognised by their values, as in CSV (``csv_layout``)."""

from __future__ import annotations

from collections import Counter

import pyarrow as pa

from ingestion.identifiers import IDENTIFIER
from ingestion.inference.layout import (
    CHANGE_SEQ,
    DMS_TIMESTAMP,
    FileLayout,
    TableLayout,
    all_match,
    data_positions,
)
from ingestion.inference.sample import ParquetSample, column_texts


def _parquet_meta(sample: ParquetSample, op: bool) -> tuple[str | None, str | None, bool]:
    """(timestamp column, change-sequence column, last column all null) of one file."""
    names = list(sample.schema.names)
    position = int(op)
    ts = seq = None
    last_empty = False
    if sample.table.num_rows and position < len(names):
        kind = sample.schema.field(position).type
        text = pa.types.is_string(kind) or pa.types.is_large_string(kind)
        if text and all_match(column_texts(sample, names[position]), DMS_TIMESTAMP):
            ts = names[position]
    kind = sample.schema.field(len(names) - 1).type if names else pa.null()
    castable = pa.types.is_string(kind) or pa.types.is_large_string(kind)
    castable = castable or pa.types.is_decimal(kind) or pa.types.is_integer(kind)
    if sample.table.num_rows and len(names) > position + 1 and castable:
        last = column_texts(sample, names[-1])
        last_empty = last.null_count == len(last)
        if not last_empty and all_match(last, CHANGE_SEQ, allow_null=sample.file.kind == "load"):
            seq = names[-1]
    return ts, seq, last_empty


def detect_parquet_layout(samples: list[ParquetSample]) -> TableLayout:
    """The settings and columns of a table's Parquet files (names come with the schema).

    The timestamp and change-sequence columns are recognised by their values as in CSV; a
    full-load file whose last column has the change sequence's name and no value counts too.
    """
    layout = TableLayout(files=[], columns=[], header=None)
    load_ops: list[bool] = []
    ts_names: Counter[str] = Counter()
    seq_names: Counter[str] = Counter()
    metas: list[tuple[str | None, str | None, bool]] = []
    for sample in samples:
        names = list(sample.schema.names)
        if not names or not sample.table.num_rows:
            layout.empty_files.append(sample.file.key)
        op = bool(names) and names[0].lower() == "op"
        if sample.file.kind == "load" and names:
            load_ops.append(op)
        meta = _parquet_meta(sample, op)
        metas.append(meta)
        if meta[0]:
            ts_names[meta[0]] += 1
        if meta[1]:
            seq_names[meta[1]] += 1
    ts_name = ts_names.most_common(1)[0][0] if ts_names else None
    seq_name = seq_names.most_common(1)[0][0] if seq_names else None
    columns: list[str] = []
    for sample, (ts, seq, last_empty) in zip(samples, metas, strict=True):
        names = list(sample.schema.names)
        if not names:
            continue
        op = names[0].lower() == "op"
        file = FileLayout(sample.file.key, sample.file.kind, names, len(names), op)
        file.timestamp = ts is not None or (len(names) > int(op) and names[int(op)] == ts_name)
        file.change_seq = seq is not None or (
            names[-1] == seq_name and (last_empty or not sample.table.num_rows)
        )
        for i in data_positions(file):
            file.columns[names[i]] = i
            if names[i].lower() not in {c.lower() for c in columns}:
                columns.append(names[i])
        layout.files.append(file)
    if load_ops:
        layout.op_in_load = Counter(load_ops).most_common(1)[0][0]
        layout.op_reason = (
            "an Op column in the full-load files"
            if layout.op_in_load
            else "no Op column in the full-load files"
        )
    if ts_name:
        layout.timestamp_name = ts_name
        layout.timestamp_reason = "a string column of yyyy-MM-dd HH:mm:ss.SSSSSS values"
    if seq_name:
        layout.change_seq_name = seq_name
        layout.change_seq_reason = "35-digit numbers in the last column"
    layout.columns = columns
    bad = [c for c in columns if not IDENTIFIER.match(c)]
    if bad:
        layout.errors.append(
            f"column names that are not plain identifiers: {bad}; rename them in the DMS task "
            "(a transformation rule with rule-action rename)"
        )
    return layout
