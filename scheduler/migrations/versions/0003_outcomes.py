"""session outcomes; the note given when an alert is acknowledged

Revision ID: 0003_outcomes
Revises: 0005_proposals
Create Date: 2026-12-06 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import scheduler.types

revision = "0003_outcomes"
down_revision = "0005_proposals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("start", scheduler.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("recorded_at", scheduler.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["children.id"],
            name=op.f("fk_session_outcomes_child_id_children"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["workers.id"],
            name=op.f("fk_session_outcomes_worker_id_workers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_outcomes")),
        sa.UniqueConstraint("child_id", "start", name=op.f("uq_session_outcomes_child_id_start")),
    )
    with op.batch_alter_table("session_outcomes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_outcomes_session_id"), ["session_id"], unique=False
        )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("acknowledged_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_column("acknowledged_note")
    with op.batch_alter_table("session_outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_outcomes_session_id"))
    op.drop_table("session_outcomes")
