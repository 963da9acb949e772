"""BER for Z39.50: framing PDUs off a byte stream, and encoding and decoding them.

The APDU types come from `z3950.asn` (the Z39.50-2003 module, compiled once
with asn1tools). Z39.50 runs BER straight over TCP with no envelope, so a
PDU ends where its outermost BER length says (ISO 8825-1 §8.1); `pdu_size`
finds that point, refusing lengths above the server's limit before the bytes
arrive. InternationalString values travel as octets and are UTF-8, the
character set mucluc negotiates (and assumes for clients that do not ask).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import asn1tools

ASN1_MODULE = Path(__file__).with_name("z3950.asn")

# Context-specific tag numbers of the PDU CHOICE (Z39.50-2003 §4.1) mucluc can decode,
# and of those it recognises but does not serve.
SERVED_PDU_TAGS = {
    20: "initRequest",
    22: "searchRequest",
    24: "presentRequest",
    26: "deleteResultSetRequest",
    43: "sortRequest",
    48: "close",
}
UNSERVED_PDU_TAGS = {
    28: "accessControlResponse",
    30: "resourceControlRequest",
    31: "resourceControlResponse",
    32: "triggerResourceControlRequest",
    33: "resourceReportRequest",
    35: "scanRequest",
    45: "segmentRequest",
    46: "extendedServicesRequest",
    49: "duplicateDetectionRequest",
}
MAX_NESTING_DEPTH = 64
_CONTEXT_CONSTRUCTED = 0xA0
_CLASS_AND_FORM_MASK = 0xE0


class BerError(ValueError):
    """Bytes that are not a well-formed BER element; the message says where."""


class MessageTooLargeError(BerError):
    """A PDU declares (or reaches) more bytes than the server accepts."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"the PDU is {size:,} bytes; the limit is {limit:,}")
        self.size = size
        self.limit = limit


@cache
def specification() -> Any:
    """The compiled Z39.50 module (compiled on first use; a few hundred milliseconds)."""
    return asn1tools.compile_files(str(ASN1_MODULE), "ber")


def _header(buffer: bytes | bytearray, offset: int) -> tuple[int, int | None, int] | None:
    """(first tag byte, content length or None if indefinite, header size), or None if short."""
    end = len(buffer)
    if offset >= end:
        return None
    first = buffer[offset]
    position = offset + 1
    if first & 0x1F == 0x1F:  # high tag number form: base-128 digits, the last below 0x80
        while True:
            if position >= end:
                return None
            if position - offset > 5:
                raise BerError(f"byte {offset}: a tag number longer than 4 bytes")
            digit = buffer[position]
            position += 1
            if digit & 0x80 == 0:
                break
    if position >= end:
        return None
    length_byte = buffer[position]
    position += 1
    if length_byte < 0x80:
        return first, length_byte, position - offset
    if length_byte == 0x80:
        if first & 0x20 == 0:
            raise BerError(f"byte {offset}: indefinite length on a primitive element")
        return first, None, position - offset
    count = length_byte & 0x7F
    if count > 4 or length_byte == 0xFF:
        raise BerError(f"byte {offset}: a length of {count} bytes is not accepted")
    if position + count > end:
        return None
    length = int.from_bytes(buffer[position : position + count], "big")
    return first, length, position + count - offset


def _element_end(buffer: bytes | bytearray, offset: int, limit: int, depth: int) -> int | None:
    if depth > MAX_NESTING_DEPTH:
        raise BerError(f"byte {offset}: elements nested more than {MAX_NESTING_DEPTH} deep")
    header = _header(buffer, offset)
    if header is None:
        return None
    _tag, length, header_size = header
    if length is not None:
        end = offset + header_size + length
        if end > limit:
            raise MessageTooLargeError(end, limit)
        return end if end <= len(buffer) else None
    position = offset + header_size
    while True:  # indefinite length: elements up to the end-of-contents octets 00 00
        if position + 2 > limit:
            raise MessageTooLargeError(position + 2, limit)
        if position + 2 > len(buffer):
            return None
        if buffer[position] == 0 and buffer[position + 1] == 0:
            return position + 2
        inner_end = _element_end(buffer, position, limit, depth + 1)
        if inner_end is None:
            return None
        position = inner_end


def pdu_size(buffer: bytes | bytearray, limit: int) -> int | None:
    """Bytes taken by the PDU at the start of `buffer`, or None while it is incomplete.

    Raises MessageTooLargeError as soon as the declared size passes `limit`,
    and BerError for framing no BER encoder produces.
    """
    return _element_end(buffer, 0, limit, 0)


def pdu_tag(data: bytes) -> int | None:
    """The context tag number of a PDU (20 for initRequest …), or None if it has none."""
    if not data or data[0] & _CLASS_AND_FORM_MASK != _CONTEXT_CONSTRUCTED:
        return None
    if data[0] & 0x1F != 0x1F:
        return data[0] & 0x1F
    number = 0
    for digit in data[1:6]:
        number = (number << 7) | (digit & 0x7F)
        if digit & 0x80 == 0:
            return number
    return None


def decode_pdu(data: bytes) -> tuple[str, dict[str, Any]]:
    """The PDU's choice name and value, as asn1tools gives them; BerError if malformed."""
    try:
        name, value = specification().decode("PDU", data)
    except (asn1tools.Error, IndexError, ValueError, TypeError) as error:
        raise BerError(f"the PDU cannot be decoded: {error}") from error
    return name, value


def encode_pdu(name: str, value: dict[str, Any]) -> bytes:
    """BER for one PDU choice, e.g. `encode_pdu("initResponse", {...})`."""
    return bytes(specification().encode("PDU", (name, value)))


def encode_value(type_name: str, value: Any) -> bytes:
    """BER for a value of any type of the module (the content of an EXTERNAL, say)."""
    return bytes(specification().encode(type_name, value))


def decode_value(type_name: str, data: bytes) -> Any:
    """Decode a value of a type of the module; BerError if malformed."""
    try:
        return specification().decode(type_name, data)
    except (asn1tools.Error, IndexError, ValueError, TypeError) as error:
        raise BerError(f"a {type_name} cannot be decoded: {error}") from error


def international_string(value: bytes) -> str:
    """Text of an InternationalString; bytes that are not UTF-8 are kept as Latin-1.

    A client that never negotiated may send Latin-1; reading it as such keeps
    every character visible instead of failing the request.
    """
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def to_international_string(text: str) -> bytes:
    """An InternationalString's octets for text (UTF-8)."""
    return text.encode("utf-8")
