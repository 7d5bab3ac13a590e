"""Dagster code location of gongbao: definitions, resources, IO, CLI."""
