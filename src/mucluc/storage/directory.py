"""Read-side queries for the library directory: what each member library contributes."""

from __future__ import annotations

from sqlalchemy import Engine, distinct, func, select
from sqlalchemy.orm import Session

from mucluc.core.model import LibraryStatistics
from mucluc.storage.tables import Holding, Library, SourceRecord


class SqlDirectory:
    """Per-library counts from the store, in one grouped query each."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def library_statistics(self, code: str | None = None) -> list[LibraryStatistics]:
        """Counts for every member library (or only `code`), ordered by code."""
        with Session(self.engine) as session:
            libraries_query = select(Library).order_by(Library.code)
            if code is not None:
                libraries_query = libraries_query.where(Library.code == code)
            libraries = list(session.scalars(libraries_query))
            active = SourceRecord.status == "active"
            records = dict(
                session.execute(
                    select(
                        SourceRecord.library_id,
                        func.count(),
                    )
                    .where(active)
                    .group_by(SourceRecord.library_id)
                ).all()
            )
            unions = dict(
                session.execute(
                    select(
                        SourceRecord.library_id, func.count(distinct(SourceRecord.union_record_id))
                    )
                    .where(active)
                    .group_by(SourceRecord.library_id)
                ).all()
            )
            holdings = {
                library_id: (count, copies or 0)
                for library_id, count, copies in session.execute(
                    select(Holding.library_id, func.count(), func.sum(Holding.copies))
                    .join(SourceRecord, SourceRecord.id == Holding.source_record_id)
                    .where(active)
                    .group_by(Holding.library_id)
                ).all()
            }
        return [
            LibraryStatistics(
                library=library.to_info(),
                source_records=records.get(library.id, 0),
                union_records=unions.get(library.id, 0),
                holdings=holdings.get(library.id, (0, 0))[0],
                copies=int(holdings.get(library.id, (0, 0))[1]),
            )
            for library in libraries
        ]
