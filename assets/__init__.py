"""Dagster asset definitions of gongbao (thin: the work is in `parsing` and `quality`)."""
