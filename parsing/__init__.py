"""Pure-Python parsing core of gongbao: bytes of one bulletin in, rows out.

Nothing in this package imports Dagster, DuckDB or polars, so every rule can be
tested line by line on real text. `parsing.bulletin.parse_bulletin` is the entry point.
"""

# Bump on any change that can alter extracted rows; it is stored on every row.
PARSER_VERSION = "0.5.0"
