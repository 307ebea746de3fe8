"""What `dmsw models generate` writes for `dbt source freshness`, from contracts written here:
commit time where the files carry one, landing time where not, the contract's own thresholds,
no check at all, and the one-line errors of a bad `freshness:` key. The dbt side (stale and
fresh lakes through `make run`) is tests/python/test_freshness.py."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml

from ingestion.contracts import load_contracts
from ingestion.errors import UserError
from modelgen.layout import plan

PROJECT = Path(__file__).resolve().parents[2]
COLUMNS = "primary_key: [id]\ncolumns:\n  - {name: id, type: bigint}\n"
VAR_WARN = "{{ var('freshness_warn_after_hours', 24) }}"
VAR_ERROR = "{{ var('freshness_error_after_hours', 72) }}"


def _project(tmp_path: Path, tables: dict[str, str], settings: str) -> Path:
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    shutil.copytree(PROJECT / "seeds", project / "seeds")
    folder = project / "contracts" / "shop"
    folder.mkdir(parents=True)
    (folder / "_dms_settings.yml").write_text(settings)
    for table, extra in tables.items():
        (folder / f"{table}.yml").write_text(f"table: {table}\n{extra}{COLUMNS}")
    return project


def rendered(text: str, target: str = "duckdb", variables: dict[str, str] | None = None) -> str:
    """What dbt makes of a generated YAML value for a target and vars (plain Jinja here)."""
    given = variables or {}

    def var(name: str, default: object = None) -> object:
        return given.get(name, default)

    template = jinja2.Environment().from_string(text)
    return template.render(var=var, target={"type": target}).strip()


ATHENA_COMMIT = (
    "cast(from_unixtime_nanos(cast(_dms_commit_ts as decimal(38, 0)) * 1000) as timestamp(6))"
)


def _source(project: Path) -> dict[str, Any]:
    planned = plan(project, project / "contracts")
    text = planned.files[Path("models/bronze/shop/_bronze_shop__sources.yml")]
    (source,) = yaml.safe_load(text)["sources"]
    assert isinstance(source, dict)
    return source


def test_commit_time_by_default_with_the_vars_as_thresholds(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "orders": "",
            "rates": "freshness: {warn_after_hours: 168, error_after_hours: 336}\n",
            "countries": "freshness: false\n",
            "legacy": "settings: {timestamp_column_name: ''}\n",
        },
        "timestamp_column_name: commit_ts\n",
    )
    source = _source(project)
    config = source["config"]
    loaded_at = config["loaded_at_field"]
    assert rendered(loaded_at) == "_dms_commit_ts"
    assert rendered(loaded_at, variables={"freshness_from": "landing"}) == "_landed_at"
    assert rendered(loaded_at, "redshift") == "_dms_commit_ts"
    # Athena reads the raw timestamps as epoch microseconds (the __epoch_us Glue tables)
    assert rendered(loaded_at, "athena") == ATHENA_COMMIT
    assert config["freshness"] == {
        "warn_after": {"count": VAR_WARN, "period": "hour"},
        "error_after": {"count": VAR_ERROR, "period": "hour"},
    }
    tables = {t["name"]: t for t in source["tables"]}
    assert "config" not in tables["orders"]  # the schema's defaults
    assert tables["rates"]["config"] == {
        "freshness": {
            "warn_after": {"count": 168, "period": "hour"},
            "error_after": {"count": 336, "period": "hour"},
        }
    }
    assert tables["countries"]["config"] == {"freshness": None}
    # a table whose files carry no commit time (its own settings say so): landing time
    assert set(tables["legacy"]["config"]) == {"loaded_at_field"}
    legacy = tables["legacy"]["config"]["loaded_at_field"]
    assert rendered(legacy) == rendered(legacy, variables={"freshness_from": "landing"})
    assert rendered(legacy) == "_landed_at"
    assert rendered(legacy, "athena") == ATHENA_COMMIT.replace("_dms_commit_ts", "_landed_at")


def test_without_a_timestamp_column_every_table_is_measured_by_landing_time(
    tmp_path: Path,
) -> None:
    project = _project(tmp_path, {"orders": ""}, "add_column_name: true\n")  # AWS defaults
    (orders,) = _source(project)["tables"]
    assert rendered(orders["config"]["loaded_at_field"]) == "_landed_at"


@pytest.mark.parametrize(
    ("freshness", "message"),
    [
        ("freshness: 12\n", "freshness must be false or a mapping"),
        ("freshness: {warn_after_hours: 12}\n", "error_after_hours must be a whole number"),
        (
            "freshness: {warn_after_hours: 0, error_after_hours: 5}\n",
            "warn_after_hours must be a whole number of hours >= 1, got 0",
        ),
        (
            "freshness: {warn_after_hours: 1.5, error_after_hours: 5}\n",
            "warn_after_hours must be a whole number of hours >= 1, got 1.5",
        ),
        (
            "freshness: {warn_after_hours: 48, error_after_hours: 24}\n",
            "error_after_hours must be >= warn_after_hours",
        ),
        (
            "freshness: {warn_after: 1, error_after_hours: 5}\n",
            "freshness: unknown key(s) ['warn_after']",
        ),
    ],
)
def test_a_bad_freshness_key_is_a_one_line_error(
    tmp_path: Path, freshness: str, message: str
) -> None:
    project = _project(tmp_path, {"orders": freshness}, "")
    with pytest.raises(UserError, match=re.escape(message)) as caught:
        load_contracts(project / "contracts")
    assert str(caught.value).startswith(str(project / "contracts" / "shop" / "orders.yml"))
    assert "\n" not in str(caught.value)
