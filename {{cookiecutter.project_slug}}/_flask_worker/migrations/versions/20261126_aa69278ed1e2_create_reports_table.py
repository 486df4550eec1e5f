"""Create the reports table.

Revision ID: aa69278ed1e2
Revises: 5cbfb8f52c1c
Create Date: 2026-11-26 09:56:03.166133
"""

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic.
revision = "aa69278ed1e2"
down_revision = "5cbfb8f52c1c"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("reports")
