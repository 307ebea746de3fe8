"""Land AWS DMS output (S3 or a folder) in the lake's raw zone as Parquet.

Modules, one job each:

- ``contracts``: the contract of each source table (columns, key, what the warehouse makes
  of it) and its loader (``load_contracts``).
- ``column_types``: the contract's type vocabulary (``parse_type``, ``ColumnType``): Arrow
  storage and DuckDB cast of each type.
- ``dms_settings``: the DMS endpoint settings of a schema (``_dms_settings.yml``), checked.
- ``identifiers``: plain SQL identifiers, checked and quoted.
- ``dmsfiles``: what a DMS object key means (table, LOAD, CDC or transaction file, order,
  date partitions).
- ``sources``: where DMS files are read from (a local folder; ``s3`` has the S3 source).
- ``streams``: byte streams: the hashing reader (content ids), spooling for Parquet.
- ``formats``: DMS CSV/Parquet bytes to Arrow batches with row positions.
- ``txn``: PreserveTransactions files (rows of many tables) split into per-table batches.
- ``conform``: cast a batch to its contract; rows that do not fit get a reason.
- ``schemas``: the Arrow schemas of the raw zone and the quarantine.
- ``storage``: the lake's file operations (``LakeStore``) and the local-folder store.
- ``aws``: boto3 clients, and AWS failures wrapped (``aws_call``: ``AwsError``, or
  ``UserError`` for credentials and access).
- ``s3``: S3 through boto3: the DMS source and the lake store.
- ``locations``: open a source or a lake from a folder or ``s3://`` location (and refuse
  what is neither).
- ``lake``: the raw zone and quarantine layout on any store, atomic writes.
- ``ledger``: which file versions were landed, so reruns land nothing twice.
- ``lock``: one landing run per lake at a time; show and clear the lock.
- ``processes``: whether the process holding a lock still runs (zombies, reused pids).
- ``source_root``: one lake, one DMS source root (recorded in the ledger).
- ``commits``: the committed runs readers may take (published at a run's end; a killed
  run's files are committed by the next run), and landing times that only grow.
- ``faults``: the test-only hooks (``DMSW_CRASH_AFTER``, ``DMSW_PAUSE_AT``), inert otherwise.
- ``discovery``: which files a run lands (``PendingFile``: a table file or a transaction
  file), in DMS order.
- ``samples``: the first records of new CSV files (for checks before landing).
- ``settings_check``: hold back a table whose files contradict its DMS settings, naming the
  setting that fits.
- ``exact_casts``: strict types: SQL that converts a value only when exact, else a reason.
- ``file_landing``: land one file and return its outcome (``FileOutcome``).
- ``table_writer``: one table's staged raw and quarantine outputs for one file.
- ``quarantine``: quarantine rows and where records of unknown tables go.
- ``run``: one landing run (``Lander``): lock, discovery, workers, merge, report.
- ``summary``: the run's counts and report (``RunSummary``) and the error it ends with.
- ``land``: ``dmsw land`` from its options: contracts, source, lake, run, Glue.
- ``landing``: the names code uses to land in process (``Lander``, ``RunSummary``).
- ``glue``: register raw tables and the quarantine in the Glue Data Catalog.
- ``progress``: the progress bar and per-file lines.
- ``status``: per-table files, rows, quarantine, newest commit, lag and staleness, from the
  ledger; whether a location is a lake at all.
- ``durations``: ``90m``, ``6h``, ``2d`` read and written.
- ``errors``: the one error root; each branch carries its exit code; ``explain`` turns any
  other exception (Ctrl-C, an OS error, a bug) into one.
- ``inference``: draft contracts from DMS files and DDL (``dmsw contracts infer``).
- ``cli``: the ``dmsw`` command (parses arguments, prints, maps errors to exit codes), one
  module per command group: ``cli.land``, ``cli.status``, ``cli.lock``, ``cli.models``,
  ``cli.simulate`` (its options and what it prints), ``cli.options`` (what they share);
  ``dmsw simulate`` runs the top-level ``simulator`` package, the demo and test data
  generator, imported only by that subcommand.
"""

__version__ = "0.1.0"
