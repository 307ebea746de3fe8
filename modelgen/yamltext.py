"""YAML text for the generated property files: block style, short leaves on one line.

PyYAML writes every value; this module only decides the layout, so that a model's columns
read one line each (``- {name: email, description: ...}``) where they fit, a test reads
``- test_name: {arguments: ...}``, and long descriptions are folded. ``dump`` reads its
output back and refuses any layout that would change a value.
"""

from __future__ import annotations

import textwrap
from typing import Any

import yaml

WIDTH = 100


def _flow(value: Any) -> str:
    text = yaml.safe_dump(
        value, default_flow_style=True, sort_keys=False, width=10**6, allow_unicode=True
    ).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def _is_container(value: Any) -> bool:
    return isinstance(value, dict | list) and bool(value)


def _folded(text: str, pad: str) -> list[str] | None:
    """A long plain text as a folded scalar (``>-``), or None when folding could change it."""
    if "\n" in text or "  " in text or text != text.strip() or "#" in text:
        return None
    lines = textwrap.wrap(text, WIDTH - len(pad), break_long_words=False, break_on_hyphens=False)
    return [">-", *(pad + line for line in lines)]


def _entry(pad: str, key: str, item: Any, indent: int) -> list[str]:
    flow = _flow(item)
    line = f"{pad}{key}: {flow}"
    if isinstance(item, str) and len(line) > WIDTH:
        folded = _folded(item, pad + "  ")
        if folded:
            return [f"{pad}{key}: {folded[0]}", *folded[1:]]
    if not _is_container(item) or (len(line) <= WIDTH and not _always_block(key)):
        return [line]
    return [f"{pad}{key}:", *_block(item, indent + 1)]


def _block(value: Any, indent: int) -> list[str]:
    pad = "  " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            lines.extend(_entry(pad, str(key), item, indent))
        return lines
    for item in value:
        if isinstance(item, dict) and len(item) == 1:
            # a test: `- name: {arguments: ...}` on one line, or nested below its name
            ((key, inner),) = item.items()
            nested = _entry(pad + "  ", str(key), inner, indent + 1)
            lines.append(f"{pad}- {nested[0].lstrip()}")
            lines.extend(nested[1:])
            continue
        flow = _flow(item)
        if not _is_container(item) or len(pad) + 2 + len(flow) <= WIDTH:
            lines.append(f"{pad}- {flow}")
            continue
        nested = _block(item, indent + 1)
        lines.append(f"{pad}- {nested[0].lstrip()}")
        lines.extend(nested[1:])
    return lines


def _always_block(key: str) -> bool:
    """Top-level lists read better as blocks even when short."""
    return key in ("models", "sources", "tables", "columns", "unit_tests")


def dump(document: dict[str, Any], comment: str) -> str:
    """The document as YAML text, after a comment block."""
    head = "".join(f"# {line}\n" if line else "#\n" for line in comment.splitlines())
    body: list[str] = []
    for key, item in document.items():
        if _is_container(item):
            body.append(f"{key}:")
            body.extend(_block(item, 1))
        else:
            body.append(f"{key}: {_flow(item)}")
        body.append("")
    text = head + "\n" + "\n".join(body).rstrip() + "\n"
    if yaml.safe_load(text) != document:  # the layout must never change a value
        raise AssertionError("generated YAML does not read back as written")
    return text
