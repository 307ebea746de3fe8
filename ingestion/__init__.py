"""Land AWS DMS output (S3 or a folder) in the lake's raw zone as Parquet.

Modules, one job each:

- ``contracts``: the column contract of each source table and the DMS endpoint settings.
- ``dmsfiles``: what a DMS object key means (table, LOAD, CDC or transaction file, order,
  date partitions).
- ``sources``: where DMS files are read from (a local folder; ``s3`` has the S3 source).
- ``formats``: DMS CSV/Parquet bytes to Arrow batches with row positions.
- ``txn``: PreserveTransactions files (rows of many tables) split into per-table batches.
- ``conform``: cast a batch to its contract; rows that do not fit get a reason.
- ``storage``: the lake's file operations (``LakeStore``) and the local-folder store.
- ``s3``: S3 through boto3: the DMS source and the lake store.
- ``lake``: the raw zone and quarantine layout on any store, atomic writes.
- ``ledger``: which file versions were landed, so reruns land nothing twice.
- ``lock``: one landing run per lake at a time.
- ``faults``: the test-only crash hook (``DMSW_CRASH_AFTER``), inert otherwise.
- ``landing``: one landing run over all new files.
- ``glue``: register raw tables and the quarantine in the Glue Data Catalog.
- ``progress``: the progress bar and per-file lines.
- ``status``: per-table files, rows, newest commit and lag, from the ledger.
- ``inference``: draft contracts from DMS files and DDL (``dmsw contracts infer``).
- ``cli``: the ``dmsw`` command (``dmsw simulate`` runs the top-level ``simulator`` package,
  the demo and test data generator, imported only by that subcommand).
"""

__version__ = "0.1.0"
