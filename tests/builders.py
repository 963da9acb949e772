"""Builders for the records tests need, named for what they build."""

from __future__ import annotations

from pathlib import Path

from pymarc import Field, Indicators, Record, Subfield

from mucluc.accounts.ports import SecurityStore
from mucluc.config import Settings
from mucluc.core.model import LibraryInfo
from mucluc.services.catalogue import add_library
from mucluc.services.ingest import ingest_bytes
from mucluc.storage.repository import SqlCatalogue
from mucluc.wiring import initialise_home, open_store


def make_marc_record(
    local_id: str | None,
    title: str | None,
    *,
    isbn: str | None = None,
    author: str | None = None,
    year: int | None = 2020,
    publisher: str = "Nxb. Giáo dục Việt Nam",
    holdings: tuple[tuple[str, str, int], ...] = (("Kho mượn", "959.7 L302S", 1),),
) -> Record:
    """A UTF-8 MARC21 bibliographic record; holdings are (location, call number, copies)."""
    record = Record(force_utf8=True)
    record.leader = record.leader[:5] + "nam a" + record.leader[10:]
    if local_id is not None:
        record.add_field(Field(tag="001", data=local_id))
    date = f"{year:04d}" if year else "    "
    record.add_field(Field(tag="008", data=f"201101s{date}    vm            000 0 vie d"))
    if isbn:
        record.add_field(
            Field(tag="020", indicators=Indicators(" ", " "), subfields=[Subfield("a", isbn)])
        )
    if author:
        record.add_field(
            Field(tag="100", indicators=Indicators("0", " "), subfields=[Subfield("a", author)])
        )
    if title is not None:
        record.add_field(
            Field(tag="245", indicators=Indicators("0", "0"), subfields=[Subfield("a", title)])
        )
    publication = [Subfield("a", "Hà Nội :"), Subfield("b", f"{publisher},")]
    if year:
        publication.append(Subfield("c", str(year)))
    record.add_field(Field(tag="264", indicators=Indicators(" ", "1"), subfields=publication))
    for location, call_number, copies in holdings:
        barcodes = [Subfield("p", f"{local_id}-{number}") for number in range(copies)]
        record.add_field(
            Field(
                tag="852",
                indicators=Indicators(" ", " "),
                subfields=[Subfield("b", location), Subfield("h", call_number), *barcodes],
            )
        )
    return record


def make_marc_file(*records: Record) -> bytes:
    """ISO 2709 bytes of the records, in order."""
    return b"".join(record.as_marc() for record in records)


def home_with_national_library(folder: Path, database_url: str | None = None) -> Settings:
    """A data folder made ready in `folder`, its store holding the National Library (VN-NLV).

    The store is SQLite inside the folder unless `database_url` names another.
    """
    settings = Settings(home=folder, database_url=database_url)
    initialise_home(settings)
    store = open_store(settings)
    add_library(
        store, LibraryInfo("VN-NLV", "Thư viện Quốc gia", "National Library", "national", "Hà Nội")
    )
    store.engine.dispose()
    return settings


def ingest_title(store: SqlCatalogue, local_id: str, title: str) -> None:
    """One record with this title ingested for the National Library (VN-NLV)."""
    records = make_marc_file(make_marc_record(local_id, title))
    ingest_bytes(store, "VN-NLV", records, source_name=f"{local_id}.mrc")


def add_contribution_job(security: SecurityStore, owner: str, status: str = "queued") -> int:
    """A National Library contribution job queued by the process `owner` names, now `status`."""
    job_id = security.add_contribution_job(
        library_code="VN-NLV",
        operation="submit",
        record_format="marc21",
        size_bytes=1,
        actor="k",
        owner=owner,
    )
    if status != "queued":
        security.update_contribution_job(job_id, status=status)
    return job_id
