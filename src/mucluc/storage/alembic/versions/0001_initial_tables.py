"""Initial tables: libraries, source records, holdings, union records, changes, jobs.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "libraries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_vi", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("province", sa.String(length=100), nullable=True),
        sa.Column("contact", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "type IN ('national', 'provincial', 'district', 'commune', 'university', "
            "'school', 'specialised', 'armed_forces', 'private_community')",
            name=op.f("ck_libraries_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_libraries")),
        sa.UniqueConstraint("code", name=op.f("uq_libraries_code")),
    )
    op.create_table(
        "union_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'merged', 'deleted')", name=op.f("ck_union_records_status")
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["union_records.id"],
            name=op.f("fk_union_records_merged_into_id_union_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_union_records")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "changes",
        sa.Column("sequence", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("union_record_id", sa.Integer(), nullable=False),
        sa.Column("operation", sa.String(length=16), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("operation IN ('upsert', 'delete')", name=op.f("ck_changes_operation")),
        sa.ForeignKeyConstraint(
            ["union_record_id"],
            ["union_records.id"],
            name=op.f("fk_changes_union_record_id_union_records"),
        ),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_changes")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "ingest_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.Integer(), nullable=False),
        sa.Column("source_name", sa.String(length=500), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("records_read", sa.Integer(), nullable=False),
        sa.Column("records_loaded", sa.Integer(), nullable=False),
        sa.Column("records_unchanged", sa.Integer(), nullable=False),
        sa.Column("records_rejected", sa.Integer(), nullable=False),
        sa.Column("records_merged", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'finished', 'failed')", name=op.f("ck_ingest_jobs_status")
        ),
        sa.ForeignKeyConstraint(
            ["library_id"], ["libraries.id"], name=op.f("fk_ingest_jobs_library_id_libraries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_jobs")),
    )
    op.create_table(
        "source_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.Integer(), nullable=False),
        sa.Column("local_id", sa.String(length=200), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("provenance", sa.JSON(), nullable=False),
        sa.Column("union_record_id", sa.Integer(), nullable=True),
        sa.Column("ingest_job_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'rejected', 'deleted')", name=op.f("ck_source_records_status")
        ),
        sa.ForeignKeyConstraint(
            ["ingest_job_id"],
            ["ingest_jobs.id"],
            name=op.f("fk_source_records_ingest_job_id_ingest_jobs"),
        ),
        sa.ForeignKeyConstraint(
            ["library_id"], ["libraries.id"], name=op.f("fk_source_records_library_id_libraries")
        ),
        sa.ForeignKeyConstraint(
            ["union_record_id"],
            ["union_records.id"],
            name=op.f("fk_source_records_union_record_id_union_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_records")),
        sa.UniqueConstraint(
            "library_id", "local_id", name=op.f("uq_source_records_library_id_local_id")
        ),
    )
    with op.batch_alter_table("source_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_source_records_union_record_id"), ["union_record_id"], unique=False
        )

    op.create_table(
        "holdings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_record_id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("call_number", sa.String(length=200), nullable=True),
        sa.Column("copies", sa.Integer(), nullable=False),
        sa.Column("lendable", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["library_id"], ["libraries.id"], name=op.f("fk_holdings_library_id_libraries")
        ),
        sa.ForeignKeyConstraint(
            ["source_record_id"],
            ["source_records.id"],
            name=op.f("fk_holdings_source_record_id_source_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holdings")),
    )
    with op.batch_alter_table("holdings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_holdings_source_record_id"), ["source_record_id"], unique=False
        )

    op.create_table(
        "match_keys",
        sa.Column("source_record_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_record_id"],
            ["source_records.id"],
            name=op.f("fk_match_keys_source_record_id_source_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_record_id", "kind", "value", name=op.f("pk_match_keys")),
    )
    with op.batch_alter_table("match_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_match_keys_kind_value"), ["kind", "value"], unique=False
        )


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("match_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_keys_kind_value"))

    op.drop_table("match_keys")
    with op.batch_alter_table("holdings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_holdings_source_record_id"))

    op.drop_table("holdings")
    with op.batch_alter_table("source_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_records_union_record_id"))

    op.drop_table("source_records")
    op.drop_table("ingest_jobs")
    op.drop_table("changes")
    op.drop_table("union_records")
    op.drop_table("libraries")
