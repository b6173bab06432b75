"""The store's schema history as Alembic revisions, shipped in the package.

`monitor.migrate` runs them (no alembic.ini: Alembic is configured in code). Every change
to `monitor/schema.py` needs a revision in `versions/`, chained after the current head:

    python -c "from monitor.migrations import new_revision; new_revision('add facts', '0005_facts')"

writes `versions/0005_facts_add_facts.py` with the operations Alembic finds between the head
and schema.py (review them), and tests/test_migrate.py fails until head and schema.py agree.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from monitor.migrate import SCRIPTS, alembic_config


def new_revision(message: str, rev_id: str, location: Path = SCRIPTS) -> Path:
    """Write versions/<rev_id>_<message>.py from what schema.py adds to the head revision."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = sa.create_engine(f"sqlite:///{tmp}/head.db")
        try:
            with engine.begin() as connection:
                config = alembic_config(connection, location)
                command.upgrade(config, "head")
                script = command.revision(config, message=message, rev_id=rev_id,
                                          autogenerate=True)
        finally:
            engine.dispose()
    assert script is not None and not isinstance(script, list)
    return Path(script.path)
