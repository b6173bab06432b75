"""Follow-ups (issue 14): which message part carried each posted story.

- posted.part: the index of the digest part that carried the story, so a later update can
  link to that message (chat.getPermalink) and reply in its thread; None for a digest that
  went to the terminal, and for rows written before this revision.

Revision ID: 0006_followups
Revises: 0005_slack_delivery
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_followups"
down_revision = "0005_slack_delivery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("posted", sa.Column("part", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("posted") as batch:
        batch.drop_column("part")
