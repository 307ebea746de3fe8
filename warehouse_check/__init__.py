"""Offline proof that the dbt project runs on Athena and Redshift and gives the DuckDB results.

Nothing here reaches AWS. The real adapters (dbt-athena against moto, dbt-redshift through a
replaced driver) send their statements to an emulated warehouse that translates each to DuckDB
and executes it, in order, on the same lake the native DuckDB build reads.

- ``shims``: DuckDB macros behaving like the engines' functions (Trino, Redshift)
- ``translate``: engine SQL to DuckDB SQL (sqlglot plus explicit rewrites)
- ``engine``: the emulated warehouse: executes statements in order, keeps its own records
- ``ddl``: create, drop, rename, grants and Athena's Hive DDL on the emulated warehouse
- ``engine_rules``: what the engines refuse although DuckDB accepts it
- ``statement``: a statement's text without comments, its result, ``StatementError``
- ``raw_zone``: the raw zone as each engine reads the landing's Glue tables
- ``athena`` / ``redshift``: the adapters' backends (moto; a fake driver)
- ``compare``: relation-by-relation comparison with the native build
- ``edge_cases``: hand-written DMS files with the values where engines part ways
- ``capabilities``: static checks of compiled SQL and the guide's snippets
- ``commands``: the production commands (schedule, image, guide, proof)
- ``proof``: the whole run (``python -m warehouse_check``)
"""
