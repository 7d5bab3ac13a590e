"""The data dictionary (docs/tables.md), generated from the table contracts.

    python -m quality.dictionary > docs/tables.md
"""
from .schemas import TABLE_DESCRIPTIONS, TABLES


def markdown() -> str:
    out = ["# Tables and columns", "", "Generated from `quality/schemas.py` by `python -m quality.dictionary`; "
           "a test keeps it in sync.", ""]
    for table, cols in TABLES.items():
        out += [f"## {table}", "", TABLE_DESCRIPTIONS[table], "", "| column | type | nullable | meaning |", "|---|---|---|---|"]
        out += [f"| `{c.name}` | {c.dtype} | {'yes' if c.nullable else 'no'} | {c.description} |" for c in cols]
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(markdown(), end="")
