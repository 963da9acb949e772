"""The blocking-key index carries the holder's id, so candidates are read from the index alone.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision: (kind, value) becomes (kind, value, source_record_id)."""
    with op.batch_alter_table("match_keys") as batch:
        batch.create_index(
            batch.f("ix_match_keys_kind_value_source_record_id"),
            ["kind", "value", "source_record_id"],
            unique=False,
        )
        batch.drop_index(batch.f("ix_match_keys_kind_value"))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("match_keys") as batch:
        batch.create_index(batch.f("ix_match_keys_kind_value"), ["kind", "value"], unique=False)
        batch.drop_index(batch.f("ix_match_keys_kind_value_source_record_id"))
