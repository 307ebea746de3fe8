"""Write drafted files without losing the user's edits.

- no file yet: written;
- a file infer wrote and nobody touched (``render.is_generated``): replaced by the new draft;
- a file the user edited (or wrote): left alone. When the source changed, the proposal goes
  to ``<file>.proposed`` and its unified diff is shown; ``--force`` writes the proposal over
  the file instead. A stale ``.proposed`` is removed once the file is up to date.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ingestion.errors import UserError
from ingestion.inference.render import is_generated

PROPOSED_SUFFIX = ".proposed"


@dataclass(frozen=True)
class WriteOutcome:
    path: Path
    action: str
    """created, updated, unchanged, proposed, forced, kept."""
    diff: str = ""
    notes: tuple[str, ...] = ()


def unified_diff(old: str, new: str, path: Path, new_label: str) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=str(path),
            tofile=new_label,
        )
    )


Proposer = Callable[[str], tuple[str | None, list[str]]]
"""Given the user's text: (the proposed text, or None when nothing changed; what changed)."""


def write_draft(path: Path, generated: str, propose: Proposer, force: bool) -> WriteOutcome:
    """Write ``generated`` to ``path``, or propose it (see the module docstring)."""
    try:
        return _write(path, generated, propose, force)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _write(path: Path, generated: str, propose: Proposer, force: bool) -> WriteOutcome:
    proposed_path = path.with_name(path.name + PROPOSED_SUFFIX)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(generated, encoding="utf-8")
        return WriteOutcome(path, "created")
    current = path.read_text(encoding="utf-8")
    if is_generated(current):
        if current == generated:
            return WriteOutcome(path, "unchanged")
        path.write_text(generated, encoding="utf-8")
        return WriteOutcome(path, "updated", unified_diff(current, generated, path, "new draft"))
    proposal, notes = propose(current)
    if proposal is None:
        if proposed_path.exists() and is_generated(proposed_path.read_text(encoding="utf-8")):
            proposed_path.unlink()
        return WriteOutcome(path, "kept", notes=tuple(notes))
    diff = unified_diff(current, proposal, path, str(proposed_path))
    if force:
        path.write_text(proposal, encoding="utf-8")
        if proposed_path.exists():
            proposed_path.unlink()
        return WriteOutcome(path, "forced", diff, tuple(notes))
    proposed_path.write_text(proposal, encoding="utf-8")
    return WriteOutcome(proposed_path, "proposed", diff, tuple(notes))
