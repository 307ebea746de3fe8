"""Generate the dbt layer (bronze and silver) from the table contracts.

``dmsw models generate`` writes, for every ``contracts/<schema>/<table>.yml``, the source
entry and ``stg_<schema>__<table>`` (bronze), and ``slv_<entity>__changes``,
``slv_<entity>__latest``, ``slv_<entity>``, ``slv_<entity>__rejects`` and, with
``history: true``, ``slv_<entity>__history`` (silver), with their YAML and docs;
``dmsw models check`` fails when the files in the project differ from what the contracts
give. Modules, one job each:

- ``rules``: the rule vocabulary of a column (standardisations, checks, consequences).
- ``spec``: a contract seen from the warehouse (columns, documents, key, names).
- ``sql``: what the SQL of every model is made of, and the bronze model's SQL;
  ``sql_changes``: ``slv_<entity>__changes`` (the rules as SQL); ``sql_silver``: the other
  silver models.
- ``properties``: the silver models' YAML (descriptions, tests) and the shared helpers;
  ``properties_bronze``: the sources and bronze models' YAML; ``column_tests``: the data
  tests of a column's rules; ``docs_blocks``: the docs blocks of the columns.
- ``yamltext``: the YAML layout.
- ``layout``: which files are generated where, hand-written overrides, write and compare.
- ``cli``: the ``dmsw models`` subcommand.

Of the project it imports the contract model only: ``ingestion.contracts`` (the contracts and
their loader), ``ingestion.column_types`` (the type vocabulary) and ``ingestion.identifiers``
(the SQL reserved words of DuckDB, Athena and Redshift).
The format is documented in docs/contracts.md.
"""
