"""Figures a finance team can trust, recomputed in plain Python and compared everywhere.

From silver (the transactions' current state, the account and customer histories) and the
rates seed (seeds/ecb_euro_reference_rates.csv, read as CSV), this file restates the rules in
Python (docs block fx_conversion: the booking day's rate, the last earlier one for at most 7
days, cross rates through the euro, 10-decimal factors, cents half away from zero; booked =
posted; customers by the account's owner at booking time, -1 when unknown) and compares:

- every transaction's amount in the reporting currency and its missing_rate flag;
- the top customers and the monthly volumes with the gold aggregates, the report and the
  MetricFlow saved queries;
- the analyses, the report and the metrics with each other (one question, one figure);
- a reporting currency other than the euro, and production's rates table with a rate that
  arrives late: incremental runs recompute what the rates change, like a full refresh.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from support.built_project import BuiltProject
from support.html_tables import Tables, parse
from support.metricflow import mf_query
from support.pipeline import Pipeline
from support.project import DBT, PROJECT

from report.build import write_report

pytestmark = pytest.mark.dbt

SEED = PROJECT / "seeds" / "ecb_euro_reference_rates.csv"
VARS = yaml.safe_load((PROJECT / "dbt_project.yml").read_text())["vars"]
MAX_AGE = dt.timedelta(days=int(VARS["exchange_rates_max_age_days"]))
BASE = "EUR"
CENT = Decimal("0.01")
TENTH_DECIMAL = Decimal("1e-10")
TOP = 10
MONTHS = 13
UNKNOWN = -1

Rates = dict[str, list[tuple[dt.date, Decimal]]]


def read_rates(path: Path = SEED) -> Rates:
    rates: Rates = defaultdict(list)
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            assert row["base_currency"] == BASE
            rates[row["currency"]].append(
                (dt.date.fromisoformat(row["rate_date"]), Decimal(row["rate"]))
            )
    for series in rates.values():
        series.sort()
    return rates


def rate_on(rates: Rates, currency: str, day: dt.date) -> Decimal | None:
    """Units of `currency` per euro on `day`: the latest rate on or before it, if at most
    MAX_AGE old; the euro is 1 on every day."""
    if currency == BASE:
        return Decimal(1)
    earlier = [(d, r) for d, r in rates.get(currency, []) if d <= day]
    if not earlier:
        return None
    rate_day, rate = earlier[-1]
    return rate if day < rate_day + MAX_AGE else None


def factor(rates: Rates, currency: str, day: dt.date, reporting: str) -> Decimal | None:
    if currency == reporting:
        return Decimal(1)
    source, target = rate_on(rates, currency, day), rate_on(rates, reporting, day)
    if source is None or target is None:
        return None
    return (target / source).quantize(TENTH_DECIMAL, rounding=ROUND_HALF_UP)


@dataclass
class Transaction:
    transaction_id: int
    customer_id: int
    day: dt.date
    currency: str
    status: str
    amount: Decimal
    credit: bool
    factor: Decimal | None

    @property
    def amount_reporting(self) -> Decimal | None:
        if self.factor is None:
            return None
        return (self.amount * self.factor).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def signed_reporting(self) -> Decimal | None:
        value = self.amount_reporting
        return None if value is None else (value if self.credit else -value)


def _valid_at(versions: list[tuple[Any, dt.datetime, dt.datetime]], moment: dt.datetime) -> Any:
    for value, valid_from, valid_to in versions:
        if valid_from <= moment < valid_to:
            return value
    return None


def expected_transactions(built: Pipeline, rates: Rates, reporting: str) -> dict[int, Transaction]:
    """Silver's current transactions, attributed to the owner valid at booking time and
    converted, in plain Python."""
    accounts: dict[int, list[tuple[Any, dt.datetime, dt.datetime]]] = defaultdict(list)
    for account_id, customer_id, valid_from, valid_to in built.query(
        "select account_id, customer_id, valid_from, valid_to from silver.slv_accounts__history "
        "where reject_reasons is null"
    ):
        accounts[account_id].append((customer_id, valid_from, valid_to))
    customers: dict[int, list[tuple[Any, dt.datetime, dt.datetime]]] = defaultdict(list)
    for customer_id, valid_from, valid_to in built.query(
        "select customer_id, valid_from, valid_to from silver.slv_customers__history "
        "where reject_reasons is null"
    ):
        customers[customer_id].append((customer_id, valid_from, valid_to))
    found = {}
    for transaction_id, account_id, moment, amount, direction, currency, status in built.query(
        "select transaction_id, account_id, transaction_ts, amount, direction, currency, status "
        "from silver.slv_transactions"
    ):
        owner = _valid_at(accounts.get(account_id, []), moment)
        customer = _valid_at(customers.get(owner, []), moment) if owner is not None else None
        day = moment.date()
        found[transaction_id] = Transaction(
            transaction_id,
            UNKNOWN if customer is None else customer,
            day,
            currency,
            status,
            amount,
            direction == "C",
            factor(rates, currency, day, reporting),
        )
    return found


@dataclass
class Totals:
    transactions: int = 0
    posted: int = 0
    booked: Decimal = Decimal(0)
    net_flow: Decimal = Decimal(0)
    pending: Decimal = Decimal(0)
    reversed: Decimal = Decimal(0)
    without_rate: int = 0
    customers: set[int] = field(default_factory=set)

    def add(self, t: Transaction) -> None:
        self.transactions += 1
        if t.customer_id != UNKNOWN:
            self.customers.add(t.customer_id)
        amount = t.amount_reporting or Decimal(0)
        if t.status == "posted":
            self.posted += 1
            self.booked += amount
            self.net_flow += t.signed_reporting or Decimal(0)
            self.without_rate += t.amount_reporting is None
        elif t.status == "pending":
            self.pending += amount
        elif t.status == "reversed":
            self.reversed += amount


def totals_by(transactions: Iterable[Transaction], key: Any) -> dict[Any, Totals]:
    found: dict[Any, Totals] = defaultdict(Totals)
    for t in transactions:
        found[key(t)].add(t)
    return dict(found)


def month_of(t: Transaction) -> dt.date:
    return t.day.replace(day=1)


def top_customers(
    by_customer: dict[int, Totals], everyone: Iterable[int]
) -> list[tuple[int, Decimal]]:
    known = [c for c in set(everyone) if c != UNKNOWN]
    ranked = sorted(known, key=lambda c: (-(by_customer[c].booked if c in by_customer else 0), c))
    return [(c, by_customer[c].booked if c in by_customer else Decimal(0)) for c in ranked]


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _close(text: str, expected: Decimal | int) -> bool:
    return abs(Decimal(text or "0") - Decimal(expected)) <= Decimal("0.005")


@pytest.fixture(scope="module")
def rates() -> Rates:
    return read_rates()


@pytest.fixture(scope="module")
def expected(built_project: BuiltProject, rates: Rates) -> dict[int, Transaction]:
    return expected_transactions(built_project, rates, "EUR")


@pytest.fixture(scope="module")
def report(built_project: BuiltProject, tmp_path_factory: pytest.TempPathFactory) -> Tables:
    out = tmp_path_factory.mktemp("finance_report") / "report.html"
    write_report(built_project.database, out, top=TOP, months=MONTHS)
    return parse(out)


@pytest.fixture(scope="module")
def saved_query(built_project: BuiltProject, tmp_path_factory: pytest.TempPathFactory) -> Any:
    cache: dict[str, list[dict[str, str]]] = {}

    def run(name: str) -> list[dict[str, str]]:
        if name not in cache:
            cache[name] = mf_query(built_project, tmp_path_factory.mktemp("mf"), saved_query=name)
        return cache[name]

    return run


def test_every_amount_in_the_reporting_currency_is_the_python_one(
    built_project: BuiltProject, expected: dict[int, Transaction]
) -> None:
    facts = {
        row[0]: row[1:]
        for row in built_project.query(
            "select transaction_id, customer_id, reporting_currency, reporting_rate, "
            "amount_reporting, signed_amount_reporting, coalesce(quality_issues, '') "
            "from gold.fact_transactions"
        )
    }
    assert set(facts) == set(expected)
    for transaction_id, want in expected.items():
        customer, currency, rate, amount, signed, flags = facts[transaction_id]
        assert (customer, currency) == (want.customer_id, "EUR"), transaction_id
        assert (rate, amount, signed) == (want.factor, want.amount_reporting, want.signed_reporting)
        assert ("missing_rate" in flags.split(",")) == (want.factor is None), transaction_id
    kinds = {
        "converted": [t for t in expected.values() if t.factor is not None and t.currency != BASE],
        "weekend": [t for t in expected.values() if t.factor is not None and t.day.weekday() >= 5],
        "before the rates (1993)": [
            t for t in expected.values() if t.day.year == 1993 and t.factor is None
        ],
        "unknown currency": [t for t in expected.values() if t.currency in ("XYZ", "QQQ", "EUX")],
        "unknown customer": [t for t in expected.values() if t.customer_id == UNKNOWN],
    }
    assert all(kinds.values()), {k: len(v) for k, v in kinds.items()}
    assert all(t.factor is None for t in kinds["unknown currency"])


def test_top_customers_match_python_the_model_the_report_and_the_metrics(
    built_project: BuiltProject,
    expected: dict[int, Transaction],
    report: Tables,
    saved_query: Any,
) -> None:
    by_customer = totals_by(expected.values(), lambda t: t.customer_id)
    everyone = [
        c for (c,) in built_project.query("select distinct customer_id from gold.dim_customers")
    ]
    ranking = top_customers(by_customer, everyone)
    assert ranking[0][1] > 0
    model = built_project.query(
        "select booked_amount_rank, customer_id, booked_amount_reporting "
        "from gold.fact_customer_transaction_totals where booked_amount_rank is not null "
        "order by booked_amount_rank"
    )
    assert [(c, a) for _, c, a in model] == ranking
    shown = report.tables["customer-totals"]
    assert [(int(r[1]), _number(r[4])) for r in shown] == ranking[:TOP]
    for row in shown:
        want = by_customer[int(row[1])]
        assert [_number(c) for c in row[5:8]] == [want.net_flow, want.pending, want.reversed]
        assert (int(_number(row[8])), int(_number(row[9]))) == (want.posted, want.without_rate)
    metrics = {
        int(r["transaction__customer_id"]): r for r in saved_query("customer_transaction_totals")
    }
    assert set(metrics) == set(by_customer)
    for customer_id, row in metrics.items():
        want = by_customer[customer_id]
        assert _close(row["booked_volume_reporting"], want.booked), row
        assert _close(row["booked_net_flow_reporting"], want.net_flow), row
        assert _close(row["pending_volume_reporting"], want.pending), row
        assert _close(row["reversed_volume_reporting"], want.reversed), row
        assert int(row["transaction_count"]) == want.transactions, row
        assert int(row["booked_transactions"]) == want.posted, row
        assert int(float(row["booked_without_rate"])) == want.without_rate, row


def test_monthly_volumes_match_python_the_model_the_report_and_the_metrics(
    built_project: BuiltProject,
    expected: dict[int, Transaction],
    report: Tables,
    saved_query: Any,
) -> None:
    by_month = totals_by(expected.values(), month_of)
    model = {
        month: values
        for month, *values in built_project.query(
            "select month_start, booked_amount_reporting, booked_net_flow_reporting, "
            "pending_amount_reporting, reversed_amount_reporting, transactions, "
            "posted_transactions, booked_without_rate, active_customers "
            "from gold.fact_monthly_transaction_totals"
        )
    }
    empty = Totals()
    for month, values in model.items():
        want = by_month.get(month, empty)
        assert values == [
            want.booked,
            want.net_flow,
            want.pending,
            want.reversed,
            want.transactions,
            want.posted,
            want.without_rate,
            len(want.customers),
        ], month
    assert set(by_month) <= set(model)
    shown = report.tables["monthly-totals"]
    assert len(shown) == MONTHS
    for month_text, *cells in shown:
        want = by_month.get(dt.date.fromisoformat(month_text + "-01"), empty)
        assert [_number(c) for c in cells] == [
            want.booked,
            want.net_flow,
            want.pending,
            want.reversed,
            want.transactions,
            want.posted,
            want.without_rate,
            len(want.customers),
        ], month_text
    metrics = saved_query("monthly_transaction_totals")
    assert len(metrics) == len(model)
    for row in metrics:
        want = by_month.get(dt.date.fromisoformat(row["metric_time__month"][:10]), empty)
        assert _close(row["booked_volume_reporting"], want.booked), row
        assert _close(row["booked_net_flow_reporting"], want.net_flow), row
        assert _close(row["pending_volume_reporting"], want.pending), row
        assert _close(row["reversed_volume_reporting"], want.reversed), row
        assert int(float(row["transaction_count"])) == want.transactions, row
        assert int(float(row["booked_transactions"])) == want.posted, row
        assert int(float(row["booked_without_rate"])) == want.without_rate, row
        assert int(float(row["active_customers"])) == len(want.customers), row


def test_monthly_breakdown_per_currency_matches_python_and_the_metrics(
    built_project: BuiltProject, expected: dict[int, Transaction], saved_query: Any
) -> None:
    own: dict[tuple[dt.date, str], tuple[Decimal, Decimal, Decimal]] = defaultdict(
        lambda: (Decimal(0), Decimal(0), Decimal(0))
    )
    for t in expected.values():
        if t.status == "posted":
            booked, net, reporting = own[(month_of(t), t.currency)]
            own[(month_of(t), t.currency)] = (
                booked + t.amount,
                net + (t.amount if t.credit else -t.amount),
                reporting + (t.amount_reporting or 0),
            )
    model = {
        (month, currency): (booked, net, reporting)
        for month, currency, booked, net, reporting in built_project.query(
            "select month_start, currency, booked_amount, booked_net_flow, booked_amount_reporting "
            "from gold.fact_monthly_currency_totals where posted_transactions > 0"
        )
    }
    assert model == dict(own)
    for row in saved_query("monthly_currency_totals"):
        key = (dt.date.fromisoformat(row["metric_time__month"][:10]), row["transaction__currency"])
        booked, net, reporting = own.get(key, (Decimal(0), Decimal(0), Decimal(0)))
        assert _close(row["booked_volume"], booked), row
        assert _close(row["booked_net_flow"], net), row
        assert _close(row["booked_volume_reporting"], reporting), row


def _compiled_analyses(built: BuiltProject, target: Path) -> dict[str, str]:
    """The analyses compiled by dbt (into a target folder of their own), as SQL to run."""
    env = dict(built.env, DBT_TARGET_PATH=str(target))
    done = subprocess.run(
        [DBT, "compile", "--select", "resource_type:analysis"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:]
    folder = target / "compiled" / "dms_warehouse" / "analyses"
    return {path.stem: path.read_text() for path in folder.glob("*.sql")}


def test_analyses_the_report_and_the_metrics_give_the_same_figures(
    built_project: BuiltProject,
    report: Tables,
    saved_query: Any,
    tmp_path: Path,
) -> None:
    analyses = _compiled_analyses(built_project, tmp_path / "target")
    # "Who booked the most, and how much?"
    ranked = built_project.query(analyses["customer_transaction_totals"])
    from_analysis = [(int(row[1]), row[4]) for row in ranked[:TOP]]
    from_report = [(int(r[1]), _number(r[4])) for r in report.tables["customer-totals"]]
    metrics = {
        int(r["transaction__customer_id"]): r for r in saved_query("customer_transaction_totals")
    }
    assert from_analysis == from_report
    for customer_id, booked in from_analysis:
        assert _close(metrics[customer_id]["booked_volume_reporting"], booked)
    # "How much was booked each month?"
    monthly = {
        row[0]: row[2] for row in built_project.query(analyses["monthly_transaction_totals"])
    }
    shown = {
        dt.date.fromisoformat(r[0] + "-01"): _number(r[1]) for r in report.tables["monthly-totals"]
    }
    by_metric = {
        dt.date.fromisoformat(r["metric_time__month"][:10]): r["booked_volume_reporting"]
        for r in saved_query("monthly_transaction_totals")
    }
    for month, booked in shown.items():
        assert monthly.get(month, Decimal(0)) == booked, month
        assert _close(by_metric[month], booked), month
    assert any(shown.values())


# -- other currencies and production's rates table ------------------------------------------


def _copy(built: BuiltProject, root: Path) -> Pipeline:
    """A copy of the demo warehouse (same lake) to rebuild with other settings."""
    copy = Pipeline(root)
    shutil.copy(built.database, copy.database)
    copy.env["LAKE_DIR"] = built.env["LAKE_DIR"]
    return copy


def _facts(pipeline: Pipeline) -> dict[int, tuple[Any, ...]]:
    return {
        row[0]: row[1:]
        for row in pipeline.query(
            "select transaction_id, reporting_currency, reporting_rate, amount_reporting, "
            "signed_amount_reporting from gold.fact_transactions"
        )
    }


def _python_facts(expected: dict[int, Transaction], reporting: str) -> dict[int, tuple[Any, ...]]:
    return {
        t.transaction_id: (reporting, t.factor, t.amount_reporting, t.signed_reporting)
        for t in expected.values()
    }


def test_a_reporting_currency_other_than_the_euro_crosses_through_it(
    built_project: BuiltProject, rates: Rates, tmp_path: Path
) -> None:
    copy = _copy(built_project, tmp_path)
    usd = '{"reporting_currency": "USD"}'
    # incremental: every stored factor differs from the USD one, so every row is recomputed
    copy.dbt("build", "--select", "stg_fx__exchange_rates+", "--vars", usd)
    want = _python_facts(expected_transactions(copy, rates, "USD"), "USD")
    assert _facts(copy) == want
    usd_rows = [v for v in want.values() if v[1] == 1]
    cross = [v for v in want.values() if v[1] not in (None, 1)]
    assert usd_rows and cross
    incremental = copy.fingerprint("gold.fact_transactions")
    copy.dbt("run", "--select", "fact_transactions", "--full-refresh", "--vars", usd)
    assert copy.fingerprint("gold.fact_transactions") == incremental
    ((currency,),) = copy.query(
        "select distinct reporting_currency from gold.fact_monthly_transaction_totals"
    )
    assert currency == "USD"


def test_production_rates_table_and_a_rate_that_arrives_late(
    built_project: BuiltProject, rates: Rates, tmp_path: Path
) -> None:
    copy = _copy(built_project, tmp_path)
    day = _busiest_weekday(built_project)
    with duckdb.connect(str(copy.database)) as connection:
        connection.execute("create schema fx")
        connection.execute(
            "create table fx.exchange_rates as select cast(rate_date as date) as rate_date, "
            "base_currency, currency, cast(rate as decimal(18, 6)) as rate "
            f"from read_csv('{SEED}', all_varchar = true) where cast(rate_date as date) != ?",
            [day],
        )
    source = '{"exchange_rates_from": "source"}'
    late = {c: [(d, r) for d, r in series if d != day] for c, series in rates.items()}
    copy.dbt("build", "--select", "stg_fx__exchange_rates+", "--vars", source)
    before = _facts(copy)
    assert before == _python_facts(expected_transactions(copy, late, "EUR"), "EUR")
    # the day's rates arrive: the next incremental run converts that day at them
    with duckdb.connect(str(copy.database)) as connection:
        connection.execute(
            "insert into fx.exchange_rates select cast(rate_date as date), base_currency, "
            f"currency, cast(rate as decimal(18, 6)) from read_csv('{SEED}', all_varchar = true) "
            "where cast(rate_date as date) = ?",
            [day],
        )
    copy.dbt("build", "--select", "stg_fx__exchange_rates+", "--vars", source)
    after = _facts(copy)
    assert after == _python_facts(expected_transactions(copy, rates, "EUR"), "EUR")
    changed = {k for k in after if after[k] != before[k]}
    assert changed, f"no transaction on {day} changed its rate"
    incremental = copy.fingerprint("gold.fact_transactions")
    copy.dbt("run", "--select", "fact_transactions", "--full-refresh", "--vars", source)
    assert copy.fingerprint("gold.fact_transactions") == incremental


def _busiest_weekday(built: BuiltProject) -> dt.date:
    """A working day of the rates with many converted transactions not in euros."""
    ((day,),) = built.query(
        "select transaction_date from gold.fact_transactions "
        "where currency not in ('EUR') and reporting_rate is not null "
        "and dayofweek(transaction_date) between 1 and 5 "
        "group by transaction_date order by count(*) desc, transaction_date limit 1"
    )
    return day
