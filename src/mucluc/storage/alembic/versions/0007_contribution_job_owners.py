"""Contribution jobs name the server process holding their body, so only orphans are interrupted.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision: jobs queued before it have no owner, and count as orphaned."""
    with op.batch_alter_table("contribution_jobs") as batch:
        batch.add_column(sa.Column("owner", sa.String(300), nullable=False, server_default=""))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("contribution_jobs") as batch:
        batch.drop_column("owner")
