"""MARC-in-JSON (the pymarc/code4lib layout) back into pymarc records.

The store keeps each parsed record as MARC-in-JSON (`Record.as_dict()`);
this turns it back into a record without a round trip through JSON text.
"""

from __future__ import annotations

from typing import Any

from pymarc import Field, Indicators, Leader, Record, Subfield


def record_to_dict(record: Record) -> dict[str, Any]:
    """MARC-in-JSON for a record: leader plus fields in order."""
    return dict(record.as_dict())


def record_from_dict(data: dict[str, Any]) -> Record:
    """Rebuild a record from MARC-in-JSON."""
    record = Record()
    record.leader = Leader(data["leader"])
    for entry in data.get("fields", []):
        ((tag, value),) = entry.items()
        if isinstance(value, str):
            record.add_field(Field(tag=tag, data=value))  # type: ignore[no-untyped-call]
            continue
        subfields = [
            Subfield(code=code, value=text)
            for subfield in value.get("subfields", [])
            for code, text in subfield.items()
        ]
        indicators = Indicators(value.get("ind1", " "), value.get("ind2", " "))
        field = Field(tag=tag, indicators=indicators, subfields=subfields)
        record.add_field(field)  # type: ignore[no-untyped-call]
    return record
