"""audit log: the --as-of time beside the wall-clock time

Revision ID: 0004_safety
Revises: 0003_outcomes (main's head when this branch was rebased; the lead re-chains)
Create Date: 2026-12-06 03:00:00

``audit_log.at`` is when it happened by the wall clock; ``as_of`` is the time a
command was told to plan or export as (``--as-of``), where it differs (issue #12).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import scheduler.types

revision = "0004_safety"
down_revision = "0003_outcomes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("as_of", scheduler.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("as_of")
