"""The HTML report (make report) shows what the models hold, and no personal data by default.

The report is written for the session's demo warehouse; its tables are read back from the
HTML and compared with the models it renders, and with SQL written here on the fact where a
figure is summed over the window the report shows. tests/python/test_finance.py recomputes
the figures independently (plain Python from silver and the rates seed).
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from support.built_project import BuiltProject
from support.html_tables import Tables, parse

from report.build import main, write_report

TOP = 10


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


@pytest.fixture(scope="module")
def report_file(built_project: BuiltProject, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    write_report(built_project.database, out, top=TOP, days=30, months=13)
    text = out.read_text(encoding="utf-8")
    assert "<script" not in text and "http://" not in text.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    ), "the report must render offline, without scripts or remote resources"
    return out


@pytest.fixture(scope="module")
def report(report_file: Path) -> Tables:
    return parse(report_file)


@pytest.mark.dbt
def test_customer_table_renders_the_customer_totals_model(
    built_project: BuiltProject, report: Tables
) -> None:
    expected = built_project.query(
        "select booked_amount_rank, totals.customer_id, booked_amount_reporting, "
        "booked_net_flow_reporting, pending_amount_reporting, reversed_amount_reporting, "
        "posted_transactions, booked_without_rate, masked.full_name_masked, masked.email_masked "
        "from gold.fact_customer_transaction_totals as totals "
        "join gold.dim_customers_masked as masked "
        "on totals.latest_customer_key = masked.customer_key "
        "where booked_amount_rank <= ? order by booked_amount_rank",
        [TOP],
    )
    rows = report.tables["customer-totals"]
    assert len(rows) == TOP == len(expected)
    for row, want in zip(rows, expected, strict=True):
        rank, customer_id, name, email, *amounts, posted, without, breakdown = row
        assert (int(rank), int(customer_id)) == (want[0], want[1])
        assert [_number(a) for a in amounts] == list(want[2:6])
        assert (int(_number(posted)), int(_number(without))) == (want[6], want[7])
        assert (name, email) == (want[8] or "", want[9] or "")
        by_currency = dict(
            built_project.query(
                "select currency, booked_amount from gold.fact_customer_currency_totals "
                "where customer_id = ? and posted_transactions > 0",
                [want[1]],
            )
        )
        shown = dict(part.split(" ", 1) for part in breakdown.split(" · ") if part)
        assert {c: _number(a) for c, a in shown.items()} == by_currency
    booked = [_number(row[4]) for row in rows]
    assert booked == sorted(booked, reverse=True)
    assert report.ids["reporting-currency"] == "EUR"
    assert report.headers["customer-totals"][4] == "Booked (EUR)"


@pytest.mark.dbt
def test_monthly_table_renders_the_monthly_model(
    built_project: BuiltProject, report: Tables
) -> None:
    first, last = report.ids["monthly-window"].split(" to ")
    ((latest,),) = built_project.query(
        "select max(month_start) from gold.fact_monthly_transaction_totals "
        "where transactions > 0 and month_start <= current_date"
    )
    assert last == latest.strftime("%Y-%m")
    rows = report.tables["monthly-totals"]
    assert len(rows) == 13 and rows[0][0] == first and rows[-1][0] == last
    expected = {
        month.strftime("%Y-%m"): values
        for month, *values in built_project.query(
            "select month_start, booked_amount_reporting, booked_net_flow_reporting, "
            "pending_amount_reporting, reversed_amount_reporting, transactions, "
            "posted_transactions, booked_without_rate, active_customers "
            "from gold.fact_monthly_transaction_totals"
        )
    }
    for month, *cells in rows:
        assert [_number(c) for c in cells] == expected[month], month
    per_currency = {
        (month.strftime("%Y-%m"), currency): amount
        for month, currency, amount in built_project.query(
            "select month_start, currency, booked_amount from gold.fact_monthly_currency_totals "
            "where month_start between ? and ?",
            [dt.date.fromisoformat(first + "-01"), latest],
        )
    }
    currencies = report.headers["monthly-currencies"][1:]
    assert currencies == sorted({c for _, c in per_currency})
    breakdown = report.tables["monthly-currencies"]
    assert [r[0] for r in breakdown] == [r[0] for r in rows]
    for month, *cells in breakdown:
        for currency, cell in zip(currencies, cells, strict=True):
            assert _number(cell) == per_currency.get((month, currency), 0), (month, currency)


@pytest.mark.dbt
def test_daily_volume_by_channel_is_booked_in_the_reporting_currency(
    built_project: BuiltProject, report: Tables
) -> None:
    first, last = report.ids["channel-window"].split(" to ")
    first_day, last_day = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    ((latest,),) = built_project.query(
        "select max(transaction_date) from gold.fact_transactions "
        "where transaction_date <= current_date"
    )
    assert last_day == latest and (last_day - first_day).days == 29
    expected = {
        channel: (count, volume)
        for channel, count, volume in built_project.query(
            "select channel, count(*), coalesce(sum(amount_reporting), 0) "
            "from gold.fact_transactions "
            "where transaction_date between ? and ? and status = 'posted' group by channel",
            [first_day, last_day],
        )
    }
    rows = report.tables["channel-volume"]
    got = {row[0]: (int(_number(row[1])), _number(row[2])) for row in rows}
    assert got == expected
    assert len(got) >= 3


@pytest.mark.dbt
def test_daily_chart_says_its_currency_and_scale(report_file: Path) -> None:
    text = report_file.read_text(encoding="utf-8")
    chart = re.search(r'<figure id="chart-channels">(.*?)</figure>', text, re.S)
    assert chart, "no daily chart"
    svg = chart.group(1)
    assert "<title>Daily booked volume by channel (EUR)</title>" in svg
    label = re.search(r'<text class="axis-label"[^>]*>([^<]*)</text>', svg)
    assert label, "the value axis has no label"
    days: dict[str, float] = {}
    for day, value in re.findall(r"<title>(\d\d \w\w\w) [^<:]*: ([0-9,.]+)</title></rect>", svg):
        days[day] = days.get(day, 0.0) + float(value.replace(",", ""))
    tallest = max(days.values())
    scale = "thousands" if 1e4 <= tallest < 1e6 else "millions" if tallest >= 1e6 else ""
    assert label.group(1) == f"EUR {scale}".strip()
    ticks = [
        float(t.replace(",", ""))
        for t in re.findall(r'text-anchor="end" fill="#555">([0-9,.]+)</text>', svg)
    ]
    divisor = {"": 1.0, "thousands": 1e3, "millions": 1e6}[scale]
    assert tallest <= max(ticks) * divisor < 1.5 * tallest


@pytest.mark.dbt
def test_account_status_mix(built_project: BuiltProject, report: Tables) -> None:
    expected = dict(
        built_project.query(
            "select status, count(*) from gold.dim_accounts "
            "where not is_unknown_member and is_current group by status"
        )
    )
    rows = report.tables["account-status"]
    assert {row[0]: int(_number(row[1])) for row in rows} == expected
    assert math.isclose(sum(float(row[2]) for row in rows), 100.0, abs_tol=0.2)


@pytest.mark.dbt
def test_data_quality_section_shows_flags_rejects_and_missing_rates(
    built_project: BuiltProject, report: Tables
) -> None:
    rules = {
        (entity, code): rows
        for entity, code, rows in built_project.query(
            "select entity, code, current_rows from silver.slv_data_quality"
        )
    }
    shown = {(r[0], r[1]): int(_number(r[3])) for r in report.tables["data-quality-rules"]}
    assert shown == rules
    assert shown[("transactions", "unknown_currency")] > 0
    missing = dict(
        built_project.query(
            "select currency, count(*) from gold.fact_transactions "
            "where quality_issues like '%missing_rate%' group by currency"
        )
    )
    table = {r[0]: int(_number(r[1])) for r in report.tables["missing-rates"]}
    assert {c: n for c, n in table.items() if n} == missing
    assert sum(missing.values()) > 0, "unknown currencies and 1993/2035 dates have no rate"
    shown_kpi = re.match(r"[\d,]+", report.ids["kpi-without-rate"])
    assert shown_kpi and int(_number(shown_kpi.group())) == sum(missing.values())


@pytest.mark.dbt
def test_rejects_by_reason(built_project: BuiltProject, report: Tables) -> None:
    expected: dict[tuple[str, str, str], int] = {}
    for entity in ("customers", "accounts", "transactions", "transaction_events"):
        for reason, count in built_project.query(
            f"select reject_reason, count(*) from silver.slv_{entity}__rejects group by all"
        ):
            expected[("silver", entity, reason)] = count
    ((quarantined,),) = built_project.query("select count(*) from bronze.stg_landing__quarantine")
    rows = report.tables["rejects-by-reason"]
    silver = {(r[0], r[1], r[2]): int(_number(r[3])) for r in rows if r[0] == "silver"}
    assert silver == expected
    assert sum(int(_number(r[3])) for r in rows if r[0] == "landing") == quarantined
    assert sum(expected.values()) > 0, "the demo data's dirt should cause rejects"
    shown = re.match(r"[\d,]+", report.ids["kpi-rejected"])
    assert shown, report.ids["kpi-rejected"]
    assert int(_number(shown.group())) == sum(expected.values())


def _personal_data(built: BuiltProject) -> tuple[set[str], set[str], set[str]]:
    """Every customer's e-mail, two-part full name and one-part name, from silver (every
    version, so a changed e-mail is scanned for too)."""
    emails: set[str] = set()
    full_names: set[str] = set()
    single_names: set[str] = set()
    for first, last, email in built.query(
        "select first_name, last_name, email from silver.slv_customers__history"
    ):
        if email:
            emails.add(email)
        if first and last:
            full_names.add(f"{first} {last}")
        elif first or last:
            single_names.add(first or last)
    return emails, full_names, single_names


def _leaks(path: Path, built: BuiltProject) -> list[str]:
    text = html.unescape(path.read_text(encoding="utf-8"))
    texts = set(parse(path).texts)
    emails, full_names, single_names = _personal_data(built)
    found = [value for value in emails | full_names if value in text]
    # one-word names ('Jan') also occur in ordinary words; a leak would be a cell or label
    found += [name for name in single_names if name in texts]
    return found


@pytest.mark.dbt
def test_default_report_shows_no_name_or_email_in_clear(
    built_project: BuiltProject, report_file: Path
) -> None:
    emails, full_names, _ = _personal_data(built_project)
    assert len(emails) > 10 and len(full_names) > 10
    assert _leaks(report_file, built_project) == []


@pytest.mark.dbt
def test_personal_data_only_when_asked_for(built_project: BuiltProject, tmp_path: Path) -> None:
    """The negative control: the same scan finds the names and e-mails the clear report
    shows, so the scan above can fail."""
    out = write_report(
        built_project.database, tmp_path / "clear.html", top=TOP, show_personal_data=True
    )
    leaks = _leaks(out, built_project)
    top = built_project.query(
        "select customers.full_name, customers.email "
        "from gold.fact_customer_transaction_totals as totals "
        "join gold.dim_customers as customers "
        "on totals.latest_customer_key = customers.customer_key "
        "where totals.booked_amount_rank <= ?",
        [TOP],
    )
    for name, email in top:
        assert email is None or email in leaks
        assert name is None or " " not in name or name in leaks
    assert len(leaks) >= TOP


def test_cli_refuses_a_missing_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--database", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "r.html")])
    assert stopped.value.code == 2
    assert "build the warehouse first" in capsys.readouterr().err


def test_cli_refuses_a_warehouse_without_the_models(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "empty.duckdb"
    duckdb.connect(str(database)).close()
    with pytest.raises(SystemExit) as stopped:
        main(["--database", str(database), "--out", str(tmp_path / "r.html")])
    assert stopped.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert "lacks a model the report reads" in error and "make build" in error
    assert not (tmp_path / "r.html").exists()
