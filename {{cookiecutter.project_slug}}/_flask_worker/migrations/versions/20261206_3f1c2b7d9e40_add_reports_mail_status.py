"""Add the reports' mail status.

Revision ID: 3f1c2b7d9e40
Revises: aa69278ed1e2
Create Date: 2026-12-06 04:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic.
revision = "3f1c2b7d9e40"
down_revision = "aa69278ed1e2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("reports") as batch_op:
        batch_op.add_column(sa.Column("mail_status", sa.String(16), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("reports") as batch_op:
        batch_op.drop_column("mail_status")
