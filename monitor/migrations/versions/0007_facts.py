"""facts: what each matched article states (capacity, money, GPUs, who, where, stage).

One row per matched article, by uid, holding `Facts.to_json()`; the poll cycle writes it
with the article's matches when the text is new or changed. Nothing is backfilled here:
an article matched before this revision gets its facts the first time a digest, the
tracker or `monitor facts --stored` reads it (`monitor/factstore.py`), so the upgrade
stays a quick schema change whatever the store's size.

Revision ID: 0007_facts
Revises: 0006_followups
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_facts"
down_revision = "0006_followups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "facts",
        sa.Column("uid", sa.String(2000), primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("facts")
