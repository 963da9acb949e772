"""Resumption tokens that need no server state: they carry the change-log position.

A token is the request's selection (metadataPrefix, set, from, until) plus
the change-log sequence of the last record served and how many were served
so far, as base64url JSON. It survives server restarts, works on any
replica, and — because records are listed in the order of their latest
change — a record changed mid-harvest is served again after the bookmark
rather than skipped (OAI-PMH 2.0 §3.5, "Flow Control").
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import asdict, dataclass

from mucluc.protocols.oaipmh.errors import OaiErrorCode, OaiPmhError

TOKEN_VERSION = 1
MAX_TOKEN_CHARACTERS = 2000


@dataclass(frozen=True)
class ResumptionToken:
    """Where a list request continues; `from_time`/`until_time` are ISO 8601 UTC or ""."""

    metadata_prefix: str
    set_spec: str
    from_time: str
    until_time: str
    after_sequence: int
    cursor: int


def encode_token(token: ResumptionToken) -> str:
    """The opaque text of a token."""
    payload = json.dumps({"v": TOKEN_VERSION, **asdict(token)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii").rstrip("=")


def decode_token(text: str) -> ResumptionToken:
    """A token from its text; raises OaiPmhError(badResumptionToken) for anything else."""
    if len(text) > MAX_TOKEN_CHARACTERS:
        raise OaiPmhError(OaiErrorCode.BAD_RESUMPTION_TOKEN, "the resumption token is too long")
    try:
        padded = text + "=" * (-len(text) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if not isinstance(data, dict) or data.pop("v", None) != TOKEN_VERSION:
            raise ValueError("not a token of this version")
        token = ResumptionToken(**data)
        text_fields = (token.metadata_prefix, token.set_spec, token.from_time, token.until_time)
        if not all(isinstance(value, str) for value in text_fields):
            raise ValueError("a text part is not text")
        numbers = (token.after_sequence, token.cursor)
        if not all(isinstance(value, int) and value >= 0 for value in numbers):
            raise ValueError("a position is not a whole number")
    except (ValueError, TypeError, UnicodeError, binascii.Error) as error:
        raise OaiPmhError(
            OaiErrorCode.BAD_RESUMPTION_TOKEN,
            f"the resumption token {text[:40]!r} was not issued by this repository",
        ) from error
    return token
