"""Land AWS DMS output (S3 or a folder) in the lake's raw zone as Parquet.

Modules, one job each:

- ``contracts``: the column contract of each source table and the DMS endpoint settings.
- ``dmsfiles``: what a DMS object key means (table, LOAD or CDC, order).
- ``sources``: where DMS files are read from (a local folder; S3 later).
- ``formats``: DMS CSV/Parquet bytes to Arrow batches with row positions.
- ``conform``: cast a batch to its contract; rows that do not fit get a reason.
- ``lake``: the raw zone and quarantine layout, atomic writes.
- ``ledger``: which file versions were landed, so reruns land nothing twice.
- ``landing``: one landing run over all new files.
- ``simulator``: writes what the DMS task writes, plus the ground truth.
- ``cli``: the ``dmsw`` command.
"""

__version__ = "0.1.0"
