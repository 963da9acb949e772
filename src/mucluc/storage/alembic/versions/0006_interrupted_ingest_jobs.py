"""Ingest jobs can end 'interrupted': a killed run, found when its source is ingested again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("ingest_jobs") as batch:
        batch.drop_constraint(op.f("ck_ingest_jobs_status"), type_="check")
    with op.batch_alter_table("ingest_jobs") as batch:
        batch.create_check_constraint(
            "status", "status IN ('running', 'finished', 'failed', 'interrupted')"
        )


def downgrade() -> None:
    """Revert this revision: an interrupted job reads as failed."""
    with op.batch_alter_table("ingest_jobs") as batch:
        batch.drop_constraint(op.f("ck_ingest_jobs_status"), type_="check")
    op.execute("UPDATE ingest_jobs SET status = 'failed' WHERE status = 'interrupted'")
    with op.batch_alter_table("ingest_jobs") as batch:
        batch.create_check_constraint("status", "status IN ('running', 'finished', 'failed')")
