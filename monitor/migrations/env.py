"""Alembic's entry point: migrate the connection that `monitor.migrate` hands in."""

from __future__ import annotations

from alembic import context

from monitor.migrate import include_name, render_item
from monitor.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("monitor's migrations run through monitor.migrate, with a connection")
context.configure(
    connection=connection,
    target_metadata=metadata,
    include_name=include_name,
    render_item=render_item,
    # SQLite alters a table by copying it; batch mode does that for the operations it lacks.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
