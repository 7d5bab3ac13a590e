"""The release's static catalog: `index.html` (every table: rows, fields, preview, downloads)
and a page per bulletin (its documents and numbers, and a chart of each plan's baseline
against target). Plain HTML and inline SVG: it opens from disk, no server, no script.

The bulletin pages are written from one ordered scan per query (bulletin, then the page's
order, then the key so that rows on one line keep one order), each on a cursor of its own and
read a few thousand rows at a time: the `indicator_plans` view is computed once, not once a
page, and only one bulletin's rows are held."""
from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import duckdb

from quality.schemas import LINEAGE, TABLE_DESCRIPTIONS, TABLES

from gongbao.store.connection import cursor_of

PREVIEW_ROWS = 5
CELL_CHARS = 60
_STYLE = """body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.2em .5em;
font-size:.9em;text-align:left;vertical-align:top}th{background:#f3f3f3}h2{margin-top:2em}
.bar-baseline{fill:#9aa9bd}.bar-target{fill:#d9534f}svg text{font-size:12px}"""


def _e(value) -> str:
    text = "" if value is None else str(value)
    return html.escape(text if len(text) <= CELL_CHARS else text[:CELL_CHARS] + "…")


def _page(title: str, body: list[str]) -> str:
    return ("<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def _table(columns: list[str], rows: list[tuple], css: str = "", link_first: str = "") -> str:
    """An HTML table; with `link_first` ("{}/index.html"), the first cell links there."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = [f"<td>{_e(v)}</td>" for v in row]
        if link_first and row:
            cells[0] = f"<td><a href=\"{html.escape(link_first.format(row[0]))}\">{_e(row[0])}</a></td>"
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table class=\"{css}\"><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _query_table(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None, css: str = "") -> str:
    cursor = con.execute(sql, params or [])
    return _table([d[0] for d in cursor.description], cursor.fetchall(), css)


def _chart(title: str, pairs: list[tuple[str, float, float]]) -> str:
    """Horizontal bars: each measure's baseline and target, scaled to the larger of the two."""
    row_h, label_w, bar_w = 34, 260, 320
    height = row_h * len(pairs) + 30
    parts = [f"<figure><figcaption>{html.escape(title)}</figcaption>"
             f"<svg class=\"chart\" role=\"img\" width=\"{label_w + bar_w + 80}\" height=\"{height}\" "
             f"xmlns=\"http://www.w3.org/2000/svg\">"]
    for i, (name, baseline, target) in enumerate(pairs):
        top, scale = 20 + i * row_h, bar_w / max(abs(baseline), abs(target), 1e-9)
        parts.append(f"<text x=\"0\" y=\"{top + 12}\">{_e(name)[:24]}</text>")
        for j, (value, css) in enumerate(((baseline, "bar-baseline"), (target, "bar-target"))):
            width = max(1.0, abs(value) * scale)
            y = top + j * 13
            parts.append(f"<rect class=\"{css}\" x=\"{label_w}\" y=\"{y}\" width=\"{width:.1f}\" height=\"11\">"
                         f"<title>{'baseline' if j == 0 else 'target'} {value:g}</title></rect>"
                         f"<text x=\"{label_w + width + 4:.1f}\" y=\"{y + 10}\">{value:g}</text>")
    parts.append("<text x=\"0\" y=\"12\" class=\"legend\">grey: baseline · red: target</text></svg></figure>")
    return "".join(parts)


class _ByBulletin:
    """The rows of one query ordered by bulletin first (its first column), taken a bulletin at a
    time in that order."""

    FETCH = 4096

    def __init__(self, con: duckdb.DuckDBPyConnection, sql: str):
        self._cursor = cursor_of(con)  # a result of its own: the scans are read side by side
        self._cursor.execute(sql)
        self.columns = [d[0] for d in self._cursor.description][1:]
        self._rows: Iterator[tuple] = self._fetch()
        self._next = next(self._rows, None)

    def _fetch(self) -> Iterator[tuple]:
        while chunk := self._cursor.fetchmany(self.FETCH):
            yield from chunk
        self._cursor.close()

    def take(self, bulletin_id: str) -> list[tuple]:
        """The rows of `bulletin_id` (without it); bulletins are asked for in ascending order."""
        while self._next is not None and self._next[0] < bulletin_id:  # a bulletin without a page
            self._next = next(self._rows, None)
        rows = []
        while self._next is not None and self._next[0] == bulletin_id:
            rows.append(self._next[1:])
            self._next = next(self._rows, None)
        return rows


_PAGE_QUERIES = {
    "documents": "select bulletin_id, title, doc_number, signed_date, seq, document_id from documents "
                 "order by bulletin_id, seq, document_id",
    "budgets": "select bulletin_id, amount_text, purpose, funder, period, line, document_id from budgets "
               "order by bulletin_id, line, budget_id",
    "subsidies": "select bulletin_id, program, beneficiary, amount_text, per, line, document_id from subsidies "
                 "order by bulletin_id, line, subsidy_id",
    "plans": """select d.bulletin_id, p.document_id, coalesce(p.table_title, d.title), p.name, p.baseline_value,
                       p.target_value
                from indicator_plans p join documents d using (document_id)
                where p.baseline_value is not null and p.target_value is not null
                order by d.bulletin_id, p.document_id, p.line, p.table_title, p.name, p.unit""",
    "indicators": "select bulletin_id, name, kind, period, value_text, unit, line, document_id from indicators "
                  "order by bulletin_id, line, indicator_id",
}


def write_catalog(con: duckdb.DuckDBPyConnection, release: Path, version: str, counts: dict[str, int]) -> None:
    bulletins = con.execute("select bulletin_id, publisher, year, issue_no, issue_date, source_file "
                            "from bulletins order by bulletin_id").fetchall()
    body = [f"<h1>gongbao · 政府公报 open data</h1><p>Release <b>{html.escape(version)}</b>: "
            f"{len(bulletins)} bulletins. Check: <a href=\"datapackage.json\">datapackage.json</a> · "
            "<a href=\"SHA256SUMS\">SHA256SUMS</a> · <a href=\"manifest.json\">manifest.json</a> · "
            "<a href=\"tables.md\">data dictionary</a></p>", "<h2 id=\"bulletins\">Bulletins</h2>",
            _table(["bulletin", "publisher", "year", "issue", "date", "file"], bulletins,
                   link_first="bulletins/{}/index.html"),
            "<h2>Tables</h2>"]
    lineage = [c.name for c in LINEAGE]
    for table, cols in TABLES.items():
        # what the rows say first, where they came from last; a document's text is too long to preview
        names = [c.name for c in cols if c.name != "body"]
        columns = ", ".join([n for n in names if n not in lineage] + [n for n in names if n in lineage])
        body += [f"<h3 id=\"{table}\">{table}</h3><p>{html.escape(TABLE_DESCRIPTIONS[table])} "
                 f"<b>{counts[table]:,}</b> rows. Download: <a href=\"data/{table}.csv\">CSV</a> · "
                 f"<a href=\"excel/{table}.csv\">Excel CSV</a> · <a href=\"parquet/{table}.parquet\">Parquet</a></p>",
                 "<details><summary>Fields</summary>"
                 + _table(["field", "type", "meaning"], [(c.name, str(c.dtype), c.description) for c in cols])
                 + "</details>",
                 _query_table(con, f"select {columns} from {table} limit {PREVIEW_ROWS}", css="preview")]
    (release / "index.html").write_text(_page("gongbao open data", body), encoding="utf-8")
    scans = {name: _ByBulletin(con, sql) for name, sql in _PAGE_QUERIES.items()}
    for bulletin_id, publisher, year, issue, _, source_file in bulletins:
        _bulletin_page(release, bulletin_id, (publisher, year, issue, source_file),
                       {name: scan.take(bulletin_id) for name, scan in scans.items()},
                       {name: scan.columns for name, scan in scans.items()})


def _bulletin_page(release: Path, bulletin_id: str, bulletin: tuple, rows: dict[str, list[tuple]],
                   columns: dict[str, list[str]]) -> None:
    folder = release / "bulletins" / bulletin_id
    folder.mkdir(parents=True, exist_ok=True)
    docs = rows["documents"]
    publisher, year, issue, source_file = bulletin
    # a page is titled as people know the bulletin: publisher and issue, else its (first) document
    name = (f"{publisher} {year or ''}年第{issue}期" if publisher and issue else publisher) or (
        docs[0][0] if docs else source_file)
    heading = f"<h1>{html.escape(name)}</h1><p>{html.escape(source_file)} · <code>{html.escape(bulletin_id)}</code></p>"
    body = [f"<p><a href=\"../../index.html\">← all tables</a></p>{heading}",
            "<h2>Documents</h2>", _table(["title", "发文字号", "signed", "seq", "document"], docs),
            "<h2>Downloads</h2><p>" + " · ".join(
                f"<a href=\"{p.name}\">{p.stem}</a>" for p in sorted(folder.glob("*.csv"))) + "</p>"]
    for label, scan in (("Budgets", "budgets"), ("Subsidies", "subsidies")):
        body += [f"<h2>{label}</h2>", _table(columns[scan], rows[scan])]
    body.append("<h2>Indicators: baseline against target</h2>")
    by_plan: dict[tuple[str, str], list] = {}
    for doc_id, title, measure, baseline, target in rows["plans"]:
        by_plan.setdefault((doc_id, title), []).append((measure, baseline, target))
    body += [_chart(f"{title} ({doc_id})", pairs) for (doc_id, title), pairs in by_plan.items()] or [
        "<p>No indicator with both a baseline and a target.</p>"]
    body += ["<h2>All indicators</h2>", _table(columns["indicators"], rows["indicators"])]
    (folder / "index.html").write_text(_page(name, body), encoding="utf-8")
