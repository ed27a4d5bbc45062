"""pin --from: the day a pinned worker takes over

Revision ID: 0006_pin_from
Revises: 0004_safety
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_pin_from"
down_revision = "0004_safety"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("children") as batch:
        batch.add_column(sa.Column("pinned_from", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("children") as batch:
        batch.drop_column("pinned_from")
