"""Draft table contracts from DMS files and source DDL (``dmsw contracts infer``).

Modules, one job each:

- ``discover``: the table folders under a DMS root, their files in DMS order, date
  partitions and PreserveTransactions folders.
- ``sample``: the first records of a file (CSV as text, NULL apart from ""; Parquet typed).
- ``layout``: what the files show of the DMS settings (header, Op, timestamp and
  change-sequence columns) and the table's columns, per file and per table; decided from
  CSV records by ``csv_layout``, from Parquet files by ``parquet_layout``.
- ``value_stats``: what a column's CSV values look like (``ValueStats``), mergeable across files.
- ``csvtypes``: the narrowest type that holds every CSV value seen; does a value fit a type.
- ``parquet``: the contract type of a Parquet column.
- ``ddl``: tables, types, keys, NOT NULL and comments from CREATE TABLE statements (sqlglot).
- ``ddl_types``: a DDL type of each dialect in the contract's vocabulary.
- ``keys``: a primary key suggested from the full load.
- ``entities``: distinct entity names for tables of the same name in several schemas.
- ``draft``: one table's draft contract from its files and DDL.
- ``settings``: per-table settings combined into the schema's ``_dms_settings.yml``.
- ``merge``: the proposal for a contract the user edited.
- ``render``: file texts, and the mark that tells generated files from edited ones.
- ``writer``: write, replace or propose, never losing an edit.
- ``run``: the whole ``infer`` run; ``summary``: what it prints; ``command``: the CLI part.
"""
