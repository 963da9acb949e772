"""Published metadata kept as text, and an index to find a record's latest change (#7).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21

The upgrade renders the metadata of every active union record already in
the store, so harvesters are served stored text at once. It is derived
data: rendering it uses the application's own renderer
(`mucluc.storage.publishing`), and the provider renders any record whose
text is missing, so a store upgraded without it would still be served
correctly, only more slowly.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from mucluc.storage.publishing import publish_union_records

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECORDS_PER_BATCH = 1000


def upgrade() -> None:
    """Apply this revision."""
    op.create_index(
        op.f("ix_changes_union_record_id_sequence"), "changes", ["union_record_id", "sequence"]
    )
    op.create_table(
        "published_metadata",
        sa.Column("union_record_id", sa.Integer(), nullable=False),
        sa.Column("metadata_format", sa.String(length=16), nullable=False),
        sa.Column("sequence", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["union_record_id"],
            ["union_records.id"],
            name=op.f("fk_published_metadata_union_record_id_union_records"),
        ),
        sa.PrimaryKeyConstraint(
            "union_record_id", "metadata_format", name=op.f("pk_published_metadata")
        ),
    )
    _publish_existing_records()


def _publish_existing_records() -> None:
    """Render every active union record, stamped with the sequence of its latest change."""
    changes = sa.table("changes", sa.column("union_record_id"), sa.column("sequence"))
    unions = sa.table("union_records", sa.column("id"), sa.column("status"))
    latest = (
        sa.select(changes.c.union_record_id, sa.func.max(changes.c.sequence))
        .join(unions, unions.c.id == changes.c.union_record_id)
        .where(unions.c.status == "active")
        .group_by(changes.c.union_record_id)
        .order_by(changes.c.union_record_id)
    )
    with Session(bind=op.get_bind()) as session:
        rows = [(union_id, sequence) for union_id, sequence in session.execute(latest)]
        for start in range(0, len(rows), RECORDS_PER_BATCH):
            publish_union_records(session, dict(rows[start : start + RECORDS_PER_BATCH]))


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("published_metadata")
    op.drop_index(op.f("ix_changes_union_record_id_sequence"), table_name="changes")
