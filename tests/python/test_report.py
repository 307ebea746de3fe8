"""The HTML report (make report) shows the numbers direct SQL on the warehouse gives.

The report is written for the session's demo warehouse; its tables are read back from the
HTML and compared with SQL written here, independently of report/build.py.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support.built_project import BuiltProject

from report.build import main, write_report

VOID_TAGS = {"meta", "br", "img", "input", "link", "hr", "line", "path", "rect"}


class _Tables(HTMLParser):
    """Collects every <table id=...> as a list of rows of cell texts (header row excluded)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.ids: dict[str, str] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_body = False
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table":
            self._table = attributes.get("id") or ""
            self.tables[self._table] = []
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []
        if tag not in VOID_TAGS:
            self._open.append((tag, attributes.get("id")))
            if attributes.get("id"):
                self.ids[attributes["id"] or ""] = ""

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop()[0] != tag:
            pass
        if tag == "td" and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        for _, element_id in self._open:
            if element_id:
                self.ids[element_id] += data


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


@pytest.fixture(scope="module")
def report(built_project: BuiltProject, tmp_path_factory: pytest.TempPathFactory) -> _Tables:
    out = tmp_path_factory.mktemp("report") / "report.html"
    write_report(built_project.database, out, top=10, days=30)
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    ), "the report must render offline, without scripts or remote resources"
    parser = _Tables()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.dbt
def test_customer_totals_are_the_finance_query(
    built_project: BuiltProject, report: _Tables
) -> None:
    # Totals per customer over all the versions the facts point at; the email shown is the
    # customer's current one (dimensions keeping history have is_current).
    current = " and is_current" if _has_is_current(built_project, "dim_customers") else ""
    expected = built_project.query(
        f"""
        with totals as (
            select customers.customer_id, sum(facts.amount) as total, count(*) as n
            from gold.fact_transactions as facts
            join gold.dim_customers as customers on facts.customer_key = customers.customer_key
            where not customers.is_unknown_member
            group by customers.customer_id
        )
        select totals.customer_id, current_rows.email, totals.total, totals.n
        from totals
        join gold.dim_customers as current_rows
            on totals.customer_id = current_rows.customer_id{current}
        order by totals.total desc, totals.customer_id
        limit 10
        """
    )
    rows = report.tables["customer-totals"]
    assert len(rows) == 10
    for position, (row, (_, email, total, count)) in enumerate(zip(rows, expected, strict=True)):
        rank, _name, shown_email, transactions, amount, _currencies = row
        assert int(rank) == position + 1
        assert shown_email == (email or "")
        assert _number(transactions) == count
        assert _number(amount) == total
    totals = [_number(row[4]) for row in rows]
    assert totals == sorted(totals, reverse=True)


@pytest.mark.dbt
def test_channel_volume_window_and_totals(built_project: BuiltProject, report: _Tables) -> None:
    first, last = report.ids["channel-window"].split(" to ")
    first_day, last_day = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    ((latest,),) = built_project.query(
        "select max(transaction_date) from gold.fact_transactions "
        "where transaction_date <= current_date"
    )
    assert last_day == latest and (last_day - first_day).days == 29
    ((currency,),) = built_project.query(
        "select currency from gold.fact_transactions where transaction_date between ? and ? "
        "group by currency order by count(*) desc, currency limit 1",
        [first_day, last_day],
    )
    expected = {
        channel: (count, volume)
        for channel, count, volume in built_project.query(
            "select channel, count(*), sum(amount) from gold.fact_transactions "
            "where transaction_date between ? and ? and currency = ? group by channel",
            [first_day, last_day, currency],
        )
    }
    rows = report.tables["channel-volume"]
    got = {row[0]: (int(_number(row[1])), _number(row[2])) for row in rows}
    assert got == expected
    assert len(got) >= 3


@pytest.mark.dbt
def test_account_status_mix(built_project: BuiltProject, report: _Tables) -> None:
    current = " and is_current" if _has_is_current(built_project, "dim_accounts") else ""
    expected = dict(
        built_project.query(
            "select status, count(*) from gold.dim_accounts "
            f"where not is_unknown_member{current} group by status"
        )
    )
    rows = report.tables["account-status"]
    assert {row[0]: int(_number(row[1])) for row in rows} == expected
    assert math.isclose(sum(float(row[2]) for row in rows), 100.0, abs_tol=0.2)


def _has_is_current(built: BuiltProject, table: str) -> bool:
    ((count,),) = built.query(
        "select count(*) from information_schema.columns where table_schema = 'gold' "
        "and table_name = ? and column_name = 'is_current'",
        [table],
    )
    return bool(count)


@pytest.mark.dbt
def test_rejects_by_reason(built_project: BuiltProject, report: _Tables) -> None:
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
    headline = int(_number(shown.group()))
    assert headline == sum(expected.values())


def test_cli_refuses_a_missing_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--database", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "r.html")])
    assert stopped.value.code == 2
    assert "build the warehouse first" in capsys.readouterr().err
