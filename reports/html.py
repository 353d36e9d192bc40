"""One self-contained HTML page: the tables and the plots inline (base64 PNGs)."""

from __future__ import annotations

import base64
import html

from .table import Table

STYLE = """body{font-family:sans-serif;margin:2em;max-width:80em}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}td.over{background:#fdd;font-weight:bold}
.note{color:#555;font-size:90%}img{max-width:100%}"""


def table_html(table: Table) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.headers)
    body = []
    for r, row in enumerate(table.cells("")):
        cells = "".join(f"<td{' class=over' if (r, c) in table.flagged else ''}>{html.escape(v)}</td>"
                        for c, v in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    notes = "".join(f"<p class=note>{html.escape(n)}</p>" for n in table.all_notes("Shading marks"))
    return f"<h2>{html.escape(table.title)}</h2><table><tr>{head}</tr>{''.join(body)}</table>{notes}"


def page(title: str, subtitle: str, tables: list[Table], plots: dict[str, bytes]) -> str:
    images = "".join(
        f"<h2>{html.escape(name.capitalize())}</h2>"
        f"<img alt='{html.escape(name)}' src='data:image/png;base64,{base64.b64encode(png).decode()}'>"
        for name, png in plots.items())
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p>"
            f"{''.join(table_html(t) for t in tables)}{images}</body></html>\n")
