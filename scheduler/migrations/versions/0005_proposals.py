"""stored proposals: the plan a dry run showed, for plan --commit

Revision ID: 0005_proposals
Revises: 0002_closures
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import scheduler.types

revision = "0005_proposals"
down_revision = "0002_closures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", scheduler.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("as_of", scheduler.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("horizon_start", sa.Date(), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("teams", sa.JSON(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("solution", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_proposals")),
    )


def downgrade() -> None:
    op.drop_table("plan_proposals")
