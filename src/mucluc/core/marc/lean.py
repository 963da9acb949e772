"""A lean MARC record: the few accessors the describers need, without pymarc's objects.

Building full pymarc `Record`s costs more than reading the bytes, so the
ingest hot path parses ISO 2709 straight into `LeanRecord`s. They offer the
subset of pymarc's interface `describe.py` uses (`get_fields`, `get`,
`get_subfields`, `data`) and turn into MARC-in-JSON, the form the store keeps.
Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any


class LeanField:
    """One variable or control field: `data` for 00X fields, else indicators and subfields."""

    __slots__ = ("data", "indicator1", "indicator2", "subfields", "tag")

    def __init__(
        self,
        tag: str,
        *,
        data: str | None = None,
        indicator1: str = " ",
        indicator2: str = " ",
        subfields: list[tuple[str, str]] | None = None,
    ) -> None:
        self.tag = tag
        self.data = data
        self.indicator1 = indicator1
        self.indicator2 = indicator2
        self.subfields = subfields if subfields is not None else []

    def is_control_field(self) -> bool:
        """Whether this is a control field (001-009) holding `data` only."""
        return self.data is not None

    def get_subfields(self, *codes: str) -> list[str]:
        """Values of the subfields with these codes, in field order."""
        return [value for code, value in self.subfields if code in codes]

    def get(self, code: str, default: str | None = None) -> str | None:
        """The first value of subfield `code`, or `default`."""
        for subfield_code, value in self.subfields:
            if subfield_code == code:
                return value
        return default

    def to_json(self) -> dict[str, Any]:
        """This field in MARC-in-JSON."""
        if self.data is not None:
            return {self.tag: self.data}
        return {
            self.tag: {
                "ind1": self.indicator1,
                "ind2": self.indicator2,
                "subfields": [{code: value} for code, value in self.subfields],
            }
        }


class LeanRecord:
    """A leader and fields in order; answers `get_fields` from a per-tag index.

    The index is built with the record: describing and profiling ask for some
    fifty tags per record, so asking must cost a dictionary look-up and no more.
    The fields are not to be changed once the record is made.
    """

    __slots__ = ("_by_tag", "fields", "leader")

    def __init__(self, leader: str, fields: list[LeanField]) -> None:
        self.leader = leader
        self.fields = fields
        by_tag: dict[str, list[LeanField]] = {}
        for field in fields:
            by_tag.setdefault(field.tag, []).append(field)
        self._by_tag = by_tag

    def get_fields(self, *tags: str) -> list[LeanField]:
        """Fields with these tags in record order (all fields when no tag is given)."""
        if not tags:
            return list(self.fields)
        if len(tags) == 1:
            return list(self._by_tag.get(tags[0], ()))
        return [field for field in self.fields if field.tag in tags]

    def get(self, tag: str) -> LeanField | None:
        """The first field with this tag, or None."""
        found = self._by_tag.get(tag)
        return found[0] if found else None

    def as_dict(self) -> dict[str, Any]:
        """The record in MARC-in-JSON (leader plus fields), as the store keeps it."""
        return {"leader": self.leader, "fields": [field.to_json() for field in self.fields]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LeanRecord:
        """Rebuild a lean record from MARC-in-JSON."""
        fields = []
        for entry in data.get("fields", []):
            ((tag, value),) = entry.items()
            if isinstance(value, str):
                fields.append(LeanField(tag, data=value))
                continue
            fields.append(
                LeanField(
                    tag,
                    indicator1=value.get("ind1", " "),
                    indicator2=value.get("ind2", " "),
                    subfields=[
                        (code, text)
                        for subfield in value.get("subfields", [])
                        for code, text in subfield.items()
                    ],
                )
            )
        return cls(str(data.get("leader", "")), fields)


# NUL and lone surrogates: PostgreSQL refuses NUL in text and JSON, and no
# UTF-8 encoder accepts a surrogate (MARC-in-JSON can spell one as "\ud800").
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable_text(text: str, *, nul: str = "") -> str:
    """The text with NUL characters replaced by `nul` and lone surrogates by U+FFFD.

    Positional text (the leader, control fields) passes `nul=" "` to keep its length.
    """
    if not _UNSTORABLE.search(text):
        return text
    return _UNSTORABLE.sub(lambda found: nul if found.group() == "\x00" else "\ufffd", text)


def _texts(record: LeanRecord) -> Iterator[str]:
    yield record.leader
    for field in record.fields:
        yield field.tag
        if field.data is not None:
            yield field.data
        yield field.indicator1
        yield field.indicator2
        for code, value in field.subfields:
            yield code
            yield value


def storable_record(record: LeanRecord) -> tuple[LeanRecord, list[str]]:
    """The record as every store can keep it (see `storable_text`), and the tags that changed."""
    if not any(_UNSTORABLE.search(text) for text in _texts(record)):
        return record, []
    leader = storable_text(record.leader, nul=" ")
    changed = ["leader"] if leader != record.leader else []
    fields = []
    for field in record.fields:
        cleaned = LeanField(
            storable_text(field.tag, nul=" "),
            data=None if field.data is None else storable_text(field.data, nul=" "),
            indicator1=storable_text(field.indicator1, nul=" "),
            indicator2=storable_text(field.indicator2, nul=" "),
            subfields=[
                (storable_text(code, nul=" "), storable_text(value))
                for code, value in field.subfields
            ],
        )
        if cleaned.to_json() != field.to_json():
            changed.append(cleaned.tag)
        fields.append(cleaned)
    return LeanRecord(leader, fields), changed
