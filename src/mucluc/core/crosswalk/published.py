"""The published record serialised in each format harvesters take: marc21 and oai_dc.

The store renders these once after a union record's change is logged, and
keeps the text (`mucluc.storage.publishing`); the OAI-PMH provider then
splices stored text into its responses instead of crosswalking every record
on every request. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from mucluc.core.crosswalk.dublin_core import dublin_core_from_marc, write_oai_dc
from mucluc.core.crosswalk.marcxml import marcxml_text
from mucluc.core.crosswalk.union import union_record_dict
from mucluc.core.marc.marc_json import record_from_dict
from mucluc.core.publication import PublishedMember

MARC21 = "marc21"
OAI_DC = "oai_dc"


def render_published_metadata(
    union_record_id: int, members: Sequence[PublishedMember]
) -> dict[str, str]:
    """The serialised metadata element of an active union record by format; preferred member first.

    marc21 is the MARCXML `record` (MARC21slim); oai_dc the `oai_dc:dc`
    element crosswalked from that same record (docs/crosswalks.md).
    """
    marc = union_record_dict(union_record_id, members)
    dublin_core = write_oai_dc(dublin_core_from_marc(record_from_dict(marc)))
    return {
        MARC21: marcxml_text(marc),
        OAI_DC: etree.tostring(dublin_core, encoding="unicode"),
    }
