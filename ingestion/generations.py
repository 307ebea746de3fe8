"""Which full load of its table each landed file belongs to (the table's load generation).

DMS writes a table's full load as LOAD files (``LOAD00000001.csv``, ...). When it delivers
the table's full load again (a reloaded or restarted task, or new LOAD files after a source
TRUNCATE deleted the table's files), it writes LOAD files under the same keys again. Landing
numbers the full loads of each table, from the ledger alone:

- generation 1 is the table's first full load;
- a LOAD file whose key was already landed in the table's current full load begins the next
  generation; the LOAD files after it (in this run or later runs) join it, until a key
  repeats again. A LOAD file delivered again after its earlier version could not be read at
  all (kept whole in the quarantine, no rows) replaces it in the same generation;
- CDC and transaction-file rows take the table's generation at the time they land, after
  the run's LOAD files: changes landed after a reload are ordered after it.

Every raw row carries its generation (``_load_generation``); the ledger records it for each
LOAD and CDC file. Downstream (docs/changes.md) the newest full load is the table's baseline:
a key whose latest change comes from an older generation is not in the new full load and
was not changed after it began, so it is deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ingestion.discovery import PendingFile, TableFile
from ingestion.ledger import LedgerEntry

FIRST = 1


@dataclass
class FullLoad:
    """A table's current full load: its generation and the LOAD keys landed in it."""

    generation: int = FIRST
    keys: set[str] = field(default_factory=set)
    unreadable: set[str] = field(default_factory=set)
    """Its LOAD keys whose file could not be read at all (landed no rows)."""


Tables = dict[str, FullLoad]
"""``schema.table`` -> its current full load."""


def entry_generation(entry: LedgerEntry) -> int:
    """A ledger entry's generation (records written before generations existed: the first)."""
    return entry.load_generation or FIRST


def current(entries: Iterable[LedgerEntry]) -> Tables:
    """Each table's current full load, from the ledger (in any order)."""
    newest: dict[str, int] = {}
    statuses: dict[tuple[str, int, str], set[str]] = {}
    for entry in entries:
        if not entry.schema or entry.kind not in ("load", "cdc"):
            continue
        name, generation = f"{entry.schema}.{entry.table}", entry_generation(entry)
        newest[name] = max(newest.get(name, FIRST), generation)
        if entry.kind == "load":
            statuses.setdefault((name, generation, entry.key), set()).add(entry.status)
    tables = {name: FullLoad(generation) for name, generation in newest.items()}
    for (name, generation, key), seen in statuses.items():
        load = tables[name]
        if generation == load.generation:
            load.keys.add(key)
            if seen == {"quarantined"}:
                load.unreadable.add(key)
    return tables


@dataclass(frozen=True)
class Generations:
    """The generation of each file a run lands, and of each table's CDC rows."""

    files: dict[str, int]
    """LOAD file key -> its generation."""
    tables: dict[str, int]
    """``schema.table`` -> the generation of the CDC and transaction-file rows it lands."""
    begun: dict[str, tuple[int, str]]
    """``schema.table`` -> (generation, LOAD key) for each full load a LOAD file of this run
    begins."""

    def table(self, name: str) -> int:
        return self.tables.get(name, FIRST)

    def notes(self) -> list[str]:
        """For the run report: each full load this run begins."""
        return [
            f"{table}: full load {generation} begins ({key} delivered again: a reload or a "
            "truncate); downstream, keys it does not hold are deleted unless inserted after it "
            "began"
            for table, (generation, key) in sorted(self.begun.items())
        ]

    def of(self, pending: PendingFile, table: str) -> int:
        """The generation of ``pending``'s rows of ``table``."""
        if pending.dms_file.kind == "load":
            return self.files[pending.obj.key]
        return self.table(table)


def assign(pending: list[PendingFile], entries: Iterable[LedgerEntry]) -> Generations:
    """Number the LOAD files of ``pending`` (in DMS order) after what the ledger holds; CDC
    rows take each table's generation after them."""
    tables = current(entries)
    files: dict[str, int] = {}
    begun: dict[str, tuple[int, str]] = {}
    for item in pending:
        if not isinstance(item, TableFile) or item.dms_file.kind != "load":
            continue
        name, key = item.contract.qualified_name, item.obj.key
        load = tables.setdefault(name, FullLoad())
        if key in load.keys and key not in load.unreadable:
            load = tables[name] = FullLoad(load.generation + 1)
            begun[name] = (load.generation, key)
        load.keys.add(key)
        load.unreadable.discard(key)
        files[key] = load.generation
    return Generations(files, {name: load.generation for name, load in tables.items()}, begun)
