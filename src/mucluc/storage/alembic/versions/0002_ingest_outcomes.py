"""Ingest outcomes: 'rejected' becomes 'quarantined'; per-record title and completeness; job counts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("source_records") as batch:
        batch.drop_constraint(op.f("ck_source_records_status"), type_="check")
    op.execute("UPDATE source_records SET status = 'quarantined' WHERE status = 'rejected'")
    with op.batch_alter_table("source_records") as batch:
        batch.create_check_constraint("status", "status IN ('active', 'quarantined', 'deleted')")
        batch.add_column(sa.Column("title", sa.Text(), server_default="", nullable=False))
        batch.add_column(
            sa.Column("completeness", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("ingest_jobs") as batch:
        batch.alter_column("records_loaded", new_column_name="records_added", server_default="0")
        batch.alter_column(
            "records_rejected", new_column_name="records_quarantined", server_default="0"
        )
        batch.add_column(
            sa.Column("records_updated", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(
            sa.Column("records_deleted", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("ingest_jobs") as batch:
        batch.drop_column("records_deleted")
        batch.drop_column("records_updated")
        batch.alter_column("records_quarantined", new_column_name="records_rejected")
        batch.alter_column("records_added", new_column_name="records_loaded")
    with op.batch_alter_table("source_records") as batch:
        batch.drop_column("completeness")
        batch.drop_column("title")
        batch.drop_constraint(op.f("ck_source_records_status"), type_="check")
    op.execute("UPDATE source_records SET status = 'rejected' WHERE status = 'quarantined'")
    with op.batch_alter_table("source_records") as batch:
        batch.create_check_constraint("status", "status IN ('active', 'rejected', 'deleted')")
