"""The tables of an HTML page (the report), read back for comparison: every <table id=...>
as its header texts and rows of cell texts, the text of every element with an id, and every
text node. Written on the standard library's HTMLParser, independently of report/."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

VOID_TAGS = {"meta", "br", "img", "input", "link", "hr", "line", "path", "rect"}


class Tables(HTMLParser):
    """Collects every <table id=...> as its header texts and its rows of cell texts, the text
    of every element with an id, and every text node."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.headers: dict[str, list[str]] = {}
        self.ids: dict[str, str] = {}
        self.texts: list[str] = []
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
        elif tag in ("td", "th") and self._table is not None:
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
        elif tag == "th" and self._table is not None and self._cell is not None:
            self.headers.setdefault(self._table, []).append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data: str) -> None:
        self.texts.append(data.strip())
        if self._cell is not None:
            self._cell.append(data)
        for _, element_id in self._open:
            if element_id:
                self.ids[element_id] += data


def parse(path: Path) -> Tables:
    parser = Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser
