"""Helpers the tests import (fixtures stay in conftest.py), one job per module:

- ``project``: where the project, its contracts and the virtualenv's commands are.
- ``customer_rows``: hand-written DMS rows of core_banking.customers (header, one row).
- ``pipeline``: ``Pipeline``, a throw-away DMS root + lake + DuckDB warehouse; ``write``
  delivers a file as DMS would, ``land`` runs our landing code, ``dbt`` the real dbt CLI.
- ``built_project``: ``BuiltProject``, the demo warehouse built once per session from the
  simulator's output (the ``built_project`` fixture).
- ``landing_process``: ``dmsw`` runs in processes of their own, forked cheaply (crash tests).
- ``metricflow``: ``mf_query``, MetricFlow's ``mf query`` (metrics or a saved query) on a
  built warehouse, as a subprocess.
- ``html_tables``: ``parse``, the tables and texts of an HTML page (the report).
- ``handmade_dms``: DMS files written by hand (our own CSV writer) and the value parsing the
  ``contracts infer`` tests compare landed rows with.
"""
