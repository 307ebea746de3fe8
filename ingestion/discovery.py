"""Which source files a run lands: new DMS files of contracted tables, in DMS order.

Every listed object is classified by its key (``dmsfiles.parse_key`` with its schema's
settings). A file becomes a ``PendingFile`` of one of two kinds:

- ``TableFile``: a LOAD or CDC file of one table that has a contract;
- ``TransactionFile``: a PreserveTransactions file (``<cdc_path>/CDC_TXN-*.csv``) holding
  rows of many tables, read with the settings of the schema whose ``cdc_path`` it is in.

Files already in the ledger are counted, files that are not DMS names or belong to tables
without a contract are reported as skipped, with the reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from ingestion.contracts import TableContract
from ingestion.dms_settings import DmsSettings
from ingestion.dmsfiles import DmsFile, NotADmsFileError, parse_key
from ingestion.identifiers import IDENTIFIER
from ingestion.ledger import Ledger
from ingestion.sources import FileSource, SourceObject
from ingestion.summary import printable

Contracts = dict[tuple[str, str], TableContract]

UNNAMEABLE_TABLE = (
    "not a plain identifier (letters, digits, _), which a contract cannot name; rename the "
    "table in the DMS task (a transformation rule with rule-action rename)"
)
"""Why a schema or table folder such as ``order-lines`` is skipped (landing and infer)."""


@dataclass(frozen=True)
class TableFile:
    """A LOAD or CDC file of one contracted table."""

    obj: SourceObject
    dms_file: DmsFile
    contract: TableContract
    kind: Literal["table"] = "table"


@dataclass(frozen=True)
class TransactionFile:
    """A PreserveTransactions file: rows of several tables, each naming its table."""

    obj: SourceObject
    dms_file: DmsFile
    settings: DmsSettings
    """The settings of the schema whose ``cdc_path`` holds the file."""
    kind: Literal["transactions"] = "transactions"


PendingFile = TableFile | TransactionFile


@dataclass
class Discovery:
    """What the listing found: the files to land, in DMS order, and what was left out."""

    pending: list[PendingFile] = field(default_factory=list)
    files_seen: int = 0
    already_landed: int = 0
    skipped: list[str] = field(default_factory=list)


def schema_settings(contracts: Contracts) -> dict[str, DmsSettings]:
    """The DMS settings of each schema (its ``_dms_settings.yml``)."""
    settings: dict[str, DmsSettings] = {}
    for contract in contracts.values():
        settings.setdefault(contract.schema, contract.settings)
    return settings


def discover(source: FileSource, contracts: Contracts, ledger: Ledger) -> Discovery:
    """New DMS files with a contract, in DMS order; the rest is counted or reported."""
    settings = schema_settings(contracts)
    cdc_paths = {s.cdc_path: s for s in settings.values() if s.cdc_path is not None}
    found = Discovery()
    unknown_tables: Counter[str] = Counter()
    for obj in source.list():
        found.files_seen += 1
        schema = obj.key.split("/", 1)[0]
        try:
            dms_file = parse_key(obj.key, settings.get(schema), cdc_paths)
        except NotADmsFileError as exc:
            found.skipped.append(f"{printable(obj.key[:300])}: {exc}")
            continue
        pending: PendingFile
        if dms_file.kind == "txn":
            pending = TransactionFile(obj, dms_file, cdc_paths["/".join(dms_file.folders)])
        else:
            contract = contracts.get((dms_file.schema, dms_file.table))
            if contract is None:
                unknown_tables[dms_file.table_name] += 1
                continue
            pending = TableFile(obj, dms_file, contract)
        if ledger.seen(obj, same_time=dms_file.kind == "load"):  # a LOAD file again: a reload
            found.already_landed += 1
            continue
        found.pending.append(pending)
    for table, count in sorted(unknown_tables.items()):
        if not all(IDENTIFIER.match(part) for part in table.split(".")):
            found.skipped.append(f"{count} file(s) for {table}: {UNNAMEABLE_TABLE}")
            continue
        path = f"contracts/{table.replace('.', '/')}.yml"
        found.skipped.append(f"{count} file(s) for {table}: no contract (add {path})")
    found.pending.sort(
        key=lambda p: (p.dms_file.schema, p.dms_file.table, p.dms_file.order_key, p.obj.key)
    )
    return found
