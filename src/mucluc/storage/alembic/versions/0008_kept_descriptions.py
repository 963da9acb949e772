"""Source records keep their description, so the index does not describe every member again.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision: records ingested before it are described when read, as before."""
    with op.batch_alter_table("source_records") as batch:
        batch.add_column(sa.Column("description", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("source_records") as batch:
        batch.drop_column("description")
