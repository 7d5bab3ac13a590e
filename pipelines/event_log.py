"""Dagster's sqlite event log, with the batches Dagster already forms written in one go.

A build materializes one partition per bulletin: two events each (planned when the run is
made, materialized when the step ends). Dagster's `SqliteEventLogStorage.store_event`
opens a new engine on the run's sqlite file and another on the index file for every asset
event, each its own transaction: ~12 ms of CPU an event, 43% of the run's process in the
profile of issue 17. Dagster groups those events already (the planned events of a run, the
materializations of one output over many partitions) and hands a group to
`store_event_batch` when `DAGSTER_EVENT_BATCH_SIZE` is set; the sqlite storage inherits the
base class's loop over `store_event`, so nothing is gained there. This storage writes a
group in two transactions, one per file, and updates each asset's entry once per kind of
event, the state the loop would leave (each field of the entry takes the value of the last
event that sets it). Every event is stored as Dagster stores it, so the UI, the partition
status and `instance.get_materialized_partitions` see the same records.

The instance gongbao creates (`gongbao.cli.runs.ensure_home`) names this class in its
dagster.yaml; `enable_event_batches` sets the variable in the processes that write events.
"""
from __future__ import annotations

import os
from collections.abc import Sequence

from dagster._config import Field, StringSource
from dagster._core.events import ASSET_CHECK_EVENTS, ASSET_EVENTS, EVENT_TYPE_TO_PIPELINE_RUN_STATUS
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sqlalchemy_compat import db_result

EVENT_BATCH_SIZE = 1000  # events a batch holds before it is written (a batch of 20,000 partitions: 20 writes)
BATCH_VARIABLE = "DAGSTER_EVENT_BATCH_SIZE"


def enable_event_batches() -> None:
    """Let Dagster hand its groups of events to `store_event_batch` (unless set otherwise)."""
    os.environ.setdefault(BATCH_VARIABLE, str(EVENT_BATCH_SIZE))


def runs_dir(home: str) -> str:
    """Where Dagster's default sqlite event log lives in an instance folder: `history/runs`."""
    return os.path.join(home, "history", "runs")


def default_base_dir() -> str:
    """The event log's folder in `$DAGSTER_HOME`."""
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        raise RuntimeError("BatchedSqliteEventLogStorage without a base_dir needs DAGSTER_HOME")
    return runs_dir(home)


class BatchedSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` whose `store_event_batch` writes a batch in two transactions."""

    def __init__(self, base_dir: str | None = None, inst_data=None):
        super().__init__(base_dir or default_base_dir(), inst_data=inst_data)
        self.batches_stored = 0  # batches written whole (not event by event): for the tests

    @classmethod
    def config_type(cls):
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(cls, inst_data, config_value):  # noqa: D102
        return cls(inst_data=inst_data, **config_value)

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        if len(events) < 2 or len({e.run_id for e in events}) > 1 or any(
                e.is_dagster_event and e.dagster_event_type in EVENT_TYPE_TO_PIPELINE_RUN_STATUS for e in events):
            for event in events:  # what Dagster does not batch: the storage's own path
                self.store_event(event)
            return
        statements = [self.prepare_insert_event(e) for e in events]
        with self.run_connection(events[0].run_id) as conn:  # the run's file: every event, in order
            for statement in statements:
                conn.execute(statement)
        kinds = [e.dagster_event_type if e.is_dagster_event else None for e in events]
        assets = [(e, s) for e, s, k in zip(events, statements, kinds) if k in ASSET_EVENTS]
        if assets:  # mirrored in the cross-run index, as store_event does, in one transaction
            with self.index_transaction() as conn:
                ids = []
                for _event, statement in assets:
                    with db_result(conn, statement) as result:
                        ids.append(result.inserted_primary_key[0])
                entries = [e for e, _ in assets]
                self._store_asset_event_tags(conn, entries, ids)
                last = {}  # (asset, kind of event) → its last event: the entry's state after the loop
                for event, event_id in zip(entries, ids):
                    last[(event.dagster_event.asset_key, event.dagster_event_type)] = (event, event_id)
                for event, event_id in sorted(last.values(), key=lambda pair: pair[1]):
                    self._store_asset_event(conn, event, event_id)
        for event, statement, kind in zip(events, statements, kinds):
            if kind in ASSET_CHECK_EVENTS:  # a few a run (the planned checks), as store_event does them
                with self.index_connection() as conn, db_result(conn, statement) as result:
                    event_id = result.inserted_primary_key[0]
                self.store_asset_check_event(event, event_id)
        self.batches_stored += 1


def storage_overrides(home: str) -> dict:
    """Instance settings naming this storage for an instance in `home` (`dg.instance_for_test(
    temp_dir=home, overrides=…)`: the benchmark and the tests use what `gongbao` configures)."""
    return {"event_log_storage": {"module": __name__, "class": BatchedSqliteEventLogStorage.__name__,
                                  "config": {"base_dir": runs_dir(home)}}}
