"""The MARC 21 record a union record is published as, over OAI-PMH and SRU.

It is the preferred member's record (see `mucluc.core.preference`) with
001 set to the union record id, 003 to the catalogue's code, one 035 per
member ("(VN-NLV)123456") and one 852 per holding statement of every member,
852$a naming the holding library and 852$z the number of copies. The
members' own 852 fields are replaced by these, so holdings appear once.
It is built on MARC-in-JSON, the form the store keeps, so publishing never
parses a record. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymarc import Record

from mucluc.core.marc.marc_json import record_from_dict
from mucluc.core.publication import PublishedMember

UNION_CATALOGUE_CODE = "VN-MUCLUC"
_REPLACED_TAGS = frozenset({"001", "003", "852"})
_BLANK_LEADER = "     nam a22     uu 4500"


def union_record_dict(union_record_id: int, members: Sequence[PublishedMember]) -> dict[str, Any]:
    """MARC-in-JSON of an active union record's published record; members preferred first."""
    preferred = members[0].record
    fields: list[dict[str, Any]] = [
        {"001": str(union_record_id)},
        {"003": UNION_CATALOGUE_CODE},
    ]
    member_ids: list[dict[str, Any]] = [
        {
            "035": {
                "ind1": " ",
                "ind2": " ",
                "subfields": [{"a": f"({member.library.code}){member.local_id}"}],
            }
        }
        for member in members
    ]
    for entry in preferred.get("fields", []):
        tag = next(iter(entry))
        if tag in _REPLACED_TAGS:
            continue
        if member_ids and tag > "035":
            fields.extend(member_ids)
            member_ids = []
        fields.append(entry)
    fields.extend(member_ids)
    for member in members:
        for holding in member.holdings:
            subfields = [{"a": member.library.code}]
            if holding.location:
                subfields.append({"b": holding.location})
            if holding.call_number:
                subfields.append({"h": holding.call_number})
            subfields.append({"z": f"{holding.copies} copies"})
            fields.append({"852": {"ind1": " ", "ind2": " ", "subfields": subfields}})
    return {"leader": preferred.get("leader") or _BLANK_LEADER, "fields": fields}


def union_record_to_marc(union_record_id: int, members: Sequence[PublishedMember]) -> Record:
    """The published record as a pymarc record (for crosswalks that read MARC)."""
    return record_from_dict(union_record_dict(union_record_id, members))
