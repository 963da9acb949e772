"""Union records: match profiles and decisions with evidence, overrides, ISBN blocklist (#4).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _source_record_key(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        ["source_records.id"],
        name=op.f(f"fk_{table}_{column}_source_records"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "match_profiles",
        sa.Column("source_record_id", sa.Integer(), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        _source_record_key("source_record_id", "match_profiles"),
        sa.PrimaryKeyConstraint("source_record_id", name=op.f("pk_match_profiles")),
    )
    op.create_table(
        "match_decisions",
        sa.Column("left_source_record_id", sa.Integer(), nullable=False),
        sa.Column("right_source_record_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        _source_record_key("left_source_record_id", "match_decisions"),
        _source_record_key("right_source_record_id", "match_decisions"),
        sa.PrimaryKeyConstraint(
            "left_source_record_id", "right_source_record_id", name=op.f("pk_match_decisions")
        ),
    )
    op.create_index(
        op.f("ix_match_decisions_right_source_record_id"),
        "match_decisions",
        ["right_source_record_id"],
    )
    op.create_table(
        "dedup_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("left_source_record_id", sa.Integer(), nullable=False),
        sa.Column("right_source_record_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('merge', 'never-merge')", name=op.f("ck_dedup_overrides_kind")
        ),
        _source_record_key("left_source_record_id", "dedup_overrides"),
        _source_record_key("right_source_record_id", "dedup_overrides"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dedup_overrides")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_dedup_overrides_left_source_record_id"),
        "dedup_overrides",
        ["left_source_record_id"],
    )
    op.create_index(
        op.f("ix_dedup_overrides_right_source_record_id"),
        "dedup_overrides",
        ["right_source_record_id"],
    )
    op.create_table(
        "isbn_blocklist",
        sa.Column("isbn", sa.String(length=13), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("isbn", name=op.f("pk_isbn_blocklist")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("isbn_blocklist")
    op.drop_index(op.f("ix_dedup_overrides_right_source_record_id"), table_name="dedup_overrides")
    op.drop_index(op.f("ix_dedup_overrides_left_source_record_id"), table_name="dedup_overrides")
    op.drop_table("dedup_overrides")
    op.drop_index(op.f("ix_match_decisions_right_source_record_id"), table_name="match_decisions")
    op.drop_table("match_decisions")
    op.drop_table("match_profiles")
