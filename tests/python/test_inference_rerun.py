"""Re-running ``dmsw contracts infer``: unedited drafts follow the source, edited contracts get
a proposal (``<file>.proposed`` and a diff) and are never overwritten without ``--force``."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from support.handmade_dms import csv_text, run, write

from ingestion.contracts import load_contracts
from ingestion.inference.render import is_generated, with_mark

HEADER = ["Op", "id", "amount", "note"]
LOAD = csv_text([HEADER, ["I", "1", "12.50", "a"], ["I", "2", "3.10", None]])


def _infer(capsys: pytest.CaptureFixture[str], root: Path, out: Path, *extra: str) -> str:
    code, printed = run(
        capsys, "contracts", "infer", "--source", str(root), "--out", str(out), *extra
    )
    assert code == 0, printed
    return printed


def _columns(path: Path) -> list[dict[str, object]]:
    data = yaml.safe_load(path.read_text())
    return list(data["columns"])


def test_the_mark_tells_generated_from_edited() -> None:
    text = with_mark("table: t\nprimary_key: [id]\ncolumns: []\n")
    assert is_generated(text)
    assert not is_generated(text.replace("[id]", "[ id]"))
    assert not is_generated(text + "# my note\n")
    assert not is_generated(text.split("\n", 1)[1])  # mark removed
    assert not is_generated("table: t\n")


def test_an_unedited_draft_follows_the_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out = tmp_path / "dms", tmp_path / "contracts"
    write(root, "shop/orders/LOAD00000001.csv", LOAD)
    _infer(capsys, root, out)
    contract = out / "shop" / "orders.yml"
    first = contract.read_text()
    assert "unchanged" in _infer(capsys, root, out)
    assert contract.read_text() == first

    new = csv_text([[*HEADER, "channel"], ["U", "1", "12.50", "a", "web"]])
    write(root, "shop/orders/20260301-080000000.csv", new)
    printed = _infer(capsys, root, out)
    assert "updated (it was unedited)" in printed
    assert "+  - {name: channel, type: varchar}" in printed  # the diff is shown
    assert [c["name"] for c in _columns(contract)] == ["id", "amount", "note", "channel"]
    assert not contract.with_name("orders.yml.proposed").exists()


def test_an_edited_contract_gets_a_proposal_and_force_applies_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out = tmp_path / "dms", tmp_path / "contracts"
    write(root, "shop/orders/LOAD00000001.csv", LOAD)
    _infer(capsys, root, out)
    contract = out / "shop" / "orders.yml"
    edited = contract.read_text().replace(
        "{name: note, type: varchar}", "{name: note, type: varchar, pii: true}"
    )
    edited = edited.replace("primary_key: [id]", "description: Orders.\nprimary_key: [id]")
    contract.write_text(edited)

    # unchanged source: the edit stays, nothing is proposed
    printed = _infer(capsys, root, out)
    assert "kept (you edited it" in printed
    assert contract.read_text() == edited
    proposed = contract.with_name("orders.yml.proposed")
    assert not proposed.exists()

    # the source gains a column and an amount with three decimals
    new = csv_text([[*HEADER, "channel"], ["U", "1", "12.505", "a", "web"]])
    write(root, "shop/orders/20260301-080000000.csv", new)
    printed = _infer(capsys, root, out)
    assert contract.read_text() == edited  # never overwritten
    assert "proposal written beside it" in printed
    assert f"+++ {proposed}" in printed and "+  - {name: channel, type: varchar}" in printed
    assert "amount: decimal(9,2) -> decimal(9,3)" in printed
    proposal = yaml.safe_load(proposed.read_text())
    assert proposal["description"] == "Orders."  # the user's edits are carried over
    assert proposal["columns"] == [
        {"name": "id", "type": "bigint"},
        {"name": "amount", "type": "decimal(9,3)"},
        {"name": "note", "type": "varchar", "pii": True},
        {"name": "channel", "type": "varchar"},
    ]

    printed = _infer(capsys, root, out, "--force")
    assert "proposal applied (--force)" in printed
    assert yaml.safe_load(contract.read_text()) == proposal
    assert not proposed.exists()
    load_contracts(out)  # the result is a valid contract


def test_a_column_no_file_has_any_more_is_proposed_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out = tmp_path / "dms", tmp_path / "contracts"
    write(root, "shop/orders/LOAD00000001.csv", LOAD)
    _infer(capsys, root, out)
    contract = out / "shop" / "orders.yml"
    contract.write_text(contract.read_text() + "# reviewed\n")
    write(root, "shop/orders/LOAD00000001.csv", csv_text([["Op", "id", "amount"], ["I", "1", "5"]]))
    printed = _infer(capsys, root, out)
    assert "column note dropped" in printed
    proposal = yaml.safe_load(contract.with_name("orders.yml.proposed").read_text())
    assert [c["name"] for c in proposal["columns"]] == ["id", "amount"]
    assert proposal["columns"][1]["type"] == "decimal(9,2)"  # 5 still fits: kept


def test_renamed_headerless_columns_are_kept_by_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out = tmp_path / "dms", tmp_path / "contracts"
    write(root, "shop/t/LOAD00000001.csv", csv_text([["1", "Brno"], ["2", "Praha"]]))
    _infer(capsys, root, out)
    contract = out / "shop" / "t.yml"
    text = contract.read_text().replace("col_1", "city_id").replace("col_2", "name")
    contract.write_text(text)
    write(root, "shop/t/LOAD00000002.csv", csv_text([["3", "Linz", "AT"]]))
    printed = _infer(capsys, root, out)
    assert "column col_3 added" in printed
    proposal = yaml.safe_load(contract.with_name("t.yml.proposed").read_text())
    assert proposal["primary_key"] == ["city_id"]
    assert [c["name"] for c in proposal["columns"]] == ["city_id", "name", "col_3"]


def test_an_edited_settings_file_gets_a_proposal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out = tmp_path / "dms", tmp_path / "contracts"
    write(root, "shop/orders/LOAD00000001.csv", LOAD)
    _infer(capsys, root, out)
    settings = out / "shop" / "_dms_settings.yml"
    mine = settings.read_text() + "# checked with the DMS team\n"
    settings.write_text(mine)
    assert "kept (you edited it" in _infer(capsys, root, out)
    mine = mine.replace("include_op_for_full_load: true", "include_op_for_full_load: false")
    settings.write_text(mine)
    printed = _infer(capsys, root, out)
    assert settings.read_text() == mine
    assert "include_op_for_full_load: False -> True" in printed
    assert settings.with_name("_dms_settings.yml.proposed").exists()


def test_a_gained_column_the_models_cannot_name_is_proposed_renamed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An edited contract's proposal carries the drafted rename of a gained `select`."""
    root, out = tmp_path / "dms", tmp_path / "c"
    write(root, "s/t/LOAD00000001.csv", csv_text([["id", "v"], ["1", "a"], ["2", "b"]]))
    run(capsys, "contracts", "infer", "--source", str(root), "--out", str(out))
    contract = out / "s" / "t.yml"
    contract.write_text(contract.read_text().replace("{name: v,", "{description: mine, name: v,"))
    write(
        root,
        "s/t/20260301-101010123.csv",
        csv_text([["Op", "id", "v", "select"], ["U", "1", "c", "s"]]),
    )
    run(capsys, "contracts", "infer", "--source", str(root), "--out", str(out))
    proposed = yaml.safe_load((out / "s" / "t.yml.proposed").read_text())
    assert proposed["columns"][-1] == {
        "name": "select",
        "type": "varchar",
        "rename": "select_value",
    }
