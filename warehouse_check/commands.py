"""The production commands, in one place: the schedule (docs/aws/), the container image
(Dockerfile), the deployment guide (docs/deploy.md) and the offline proof all run these, and
tests/python/test_deploy_artefacts.py checks that they do.

Unit tests are not part of a production build: they test the models' logic on hand-made
fixtures, not the data, and run in CI on DuckDB (`make test`). dbt-athena would build their
fixtures as Hive tables, which refuse the models' timestamp(6) columns.
"""

from __future__ import annotations

DBT_BUILD = ["dbt", "build", "--exclude-resource-type", "unit_test"]
LAND = ["dmsw", "land"]


def dbt_build(target: str) -> list[str]:
    """The production dbt command for a target (athena or redshift)."""
    return [*DBT_BUILD, "--target", target]
