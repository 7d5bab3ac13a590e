"""The data dictionary (docs/tables.md), generated from the table contracts.

    python -m quality.dictionary > docs/tables.md
"""
from quality.schemas import FOREIGN_KEYS, PRIMARY_KEYS, TABLE_DESCRIPTIONS, TABLES


def er_diagram() -> list[str]:
    """A Mermaid ER diagram (rendered by GitHub and most Markdown viewers): keys only."""
    out = ["```mermaid", "erDiagram"]
    out += [f"    {ref_table} ||--o{{ {table} : has" for table, _, ref_table, _ in FOREIGN_KEYS]
    out.append('    bulletins ||--o{ lineage : "versions of"')
    for table, cols in TABLES.items():
        foreign = {column for t, column, _, _ in FOREIGN_KEYS if t == table}
        keyed = [(c, [k for k, on in (("PK", c.name in PRIMARY_KEYS[table]), ("FK", c.name in foreign)) if on])
                 for c in cols]
        out.append(f"    {table} {{")
        out += [f"        {str(c.dtype).split('(')[0].lower()} {c.name} {', '.join(keys)}" for c, keys in keyed if keys]
        out.append("    }")
    out.append("```")
    return out


def markdown() -> str:
    out = ["# Tables and columns", "", "Generated from `quality/schemas.py` by `python -m quality.dictionary`; "
           "a test keeps it in sync. The same texts are the comments on the DuckDB tables and columns.", "",
           "## How the tables join", "", *er_diagram(), "",
           "`ingest_errors` and `lineage` hang off the raw file (`bulletin_id`), not off a loaded bulletin: a "
           "refused file has no `bulletins` row, and `lineage` keeps every version.", ""]
    for table, cols in TABLES.items():
        out += [f"## {table}", "", TABLE_DESCRIPTIONS[table], "",
                f"Key: {', '.join(f'`{k}`' for k in PRIMARY_KEYS[table])}", "",
                "| column | type | nullable | meaning |", "|---|---|---|---|"]
        out += [f"| `{c.name}` | {c.dtype} | {'yes' if c.nullable else 'no'} | {c.description} |" for c in cols]
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(markdown(), end="")
