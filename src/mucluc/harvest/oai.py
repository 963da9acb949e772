"""An OAI-PMH 2.0 client that turns a provider's ListRecords into MARC 21 records, page by page.

Pages are fetched one at a time (bounded memory) and parsed with the
hardened parser. Network errors, HTTP 5xx and 503 with Retry-After are
retried with exponential back-off; an OAI `noRecordsMatch` ends a harvest
with nothing new; any other OAI error is a `HarvestError` naming the code.
Each harvested record becomes a pymarc record whose 001 is the OAI
identifier (the provider's own 001, if any, is kept in 035), so a later
deletion of that identifier finds it; a deleted header becomes a record with
leader/05 'd', which ingest treats as a deletion.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

import httpx
from lxml import etree
from pymarc import Field, Indicators, Leader, Record, Subfield

from mucluc.core.crosswalk.dublin_core import marc_from_dublin_core, read_oai_dc
from mucluc.core.crosswalk.marcxml import MarcXmlError, read_marcxml
from mucluc.core.crosswalk.xml_input import XmlInputError, parse_xml
from mucluc.core.harvesting import HarvestedPage, HarvestedRecord, HarvestRequest
from mucluc.errors import MuclucError

logger = logging.getLogger(__name__)

OAI = "{http://www.openarchives.org/OAI/2.0/}"
HARVEST_TIMEOUT_SECONDS = 60.0
MAX_ATTEMPTS = 5
FIRST_BACKOFF_SECONDS = 1.0
MAX_RETRY_AFTER_SECONDS = 300.0
METADATA_PREFIXES = ("marc21", "oai_dc")
_DELETED_LEADER = "00000dam a2200000 a 4500"


class HarvestError(MuclucError):
    """A harvest cannot go on: the provider answered with an error, or kept failing."""


class OaiHarvester:
    """Fetches and converts ListRecords pages (a `mucluc.core.harvesting.Harvester`).

    The HTTP client is injected: tests give it a real one against loopback servers.
    """

    def __init__(
        self,
        client: httpx.Client,
        *,
        max_attempts: int = MAX_ATTEMPTS,
        first_backoff_seconds: float = FIRST_BACKOFF_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.max_attempts = max_attempts
        self.first_backoff_seconds = first_backoff_seconds
        self.sleep = sleep

    def pages(self, request: HarvestRequest) -> Iterator[HarvestedPage]:
        """Every page of the list, following resumption tokens until the provider ends it."""
        if request.metadata_prefix not in METADATA_PREFIXES:
            raise HarvestError(
                f"metadata prefix {request.metadata_prefix!r} cannot be converted to MARC 21; "
                f"use one of: {', '.join(METADATA_PREFIXES)}"
            )
        token = request.resumption_token
        number = 0
        while True:
            number += 1
            if token:
                parameters = {"verb": "ListRecords", "resumptionToken": token}
            else:
                parameters = {"verb": "ListRecords", "metadataPrefix": request.metadata_prefix}
                if request.set_spec:
                    parameters["set"] = request.set_spec
                if request.from_date:
                    parameters["from"] = request.from_date
            root = self._fetch(request.url, parameters, number)
            page = self._read_page(root, request, number)
            if page is None:
                return
            yield page
            if not page.resumption_token:
                return
            token = page.resumption_token

    def _fetch(self, url: str, parameters: dict[str, str], number: int) -> etree._Element:
        delay = self.first_backoff_seconds
        for attempt in range(1, self.max_attempts + 1):
            problem = ""
            try:
                answer = self.client.get(url, params=parameters, timeout=HARVEST_TIMEOUT_SECONDS)
            except httpx.TransportError as error:
                problem = f"{type(error).__name__}: {error}"
                wait = delay
            else:
                if answer.status_code == 200:
                    try:
                        return parse_xml(answer.content, source_name=f"{url} page {number}")
                    except XmlInputError as error:
                        raise HarvestError(str(error)) from error
                if answer.status_code != 503 and answer.status_code < 500:
                    raise HarvestError(
                        f"{url} page {number}: HTTP {answer.status_code} {answer.reason_phrase}"
                    )
                problem = f"HTTP {answer.status_code}"
                wait = _retry_after(answer, delay)
            if attempt == self.max_attempts:
                raise HarvestError(
                    f"{url} page {number}: gave up after {attempt} attempts ({problem})"
                )
            logger.warning(
                "harvest_retry",
                extra={"url": url, "page": number, "attempt": attempt, "problem": problem},
            )
            self.sleep(wait)
            delay *= 2
        raise AssertionError("unreachable")  # the loop returns or raises

    def _read_page(
        self, root: etree._Element, request: HarvestRequest, number: int
    ) -> HarvestedPage | None:
        errors = root.findall(f"{OAI}error")
        if errors:
            codes = [error.get("code") or "" for error in errors]
            if codes == ["noRecordsMatch"]:
                return None
            details = "; ".join(
                f"{error.get('code')}: {(error.text or '').strip()}" for error in errors
            )
            raise HarvestError(f"{request.url} page {number}: the provider says {details}")
        listing = root.find(f"{OAI}ListRecords")
        if listing is None:
            raise HarvestError(f"{request.url} page {number}: the response has no ListRecords")
        page = HarvestedPage(number=number)
        for entry in listing.findall(f"{OAI}record"):
            page.records.append(_convert(entry, request.metadata_prefix))
        page.resumption_token = (listing.findtext(f"{OAI}resumptionToken") or "").strip()
        return page


def _retry_after(answer: httpx.Response, default: float) -> float:
    value = answer.headers.get("Retry-After", "")
    if value.strip().isdigit():
        return min(float(value), MAX_RETRY_AFTER_SECONDS)
    return default


def _convert(entry: etree._Element, metadata_prefix: str) -> HarvestedRecord:
    header = entry.find(f"{OAI}header")
    identifier = (header.findtext(f"{OAI}identifier") or "").strip() if header is not None else ""
    stamp = (header.findtext(f"{OAI}datestamp") or "").strip() if header is not None else ""
    deleted = header is not None and header.get("status") == "deleted"
    if not identifier:
        return HarvestedRecord("", stamp, deleted, None, "a record header has no identifier")
    if deleted:
        record = Record(force_utf8=True)
        record.leader = Leader(_DELETED_LEADER)
        record.add_field(Field(tag="001", data=identifier))  # type: ignore[no-untyped-call]
        return HarvestedRecord(identifier, stamp, True, record)
    metadata = entry.find(f"{OAI}metadata")
    content = (
        [child for child in metadata if isinstance(child.tag, str)] if metadata is not None else []
    )
    if not content:
        return HarvestedRecord(identifier, stamp, False, None, "the record has no metadata")
    try:
        if metadata_prefix == "oai_dc":
            record = marc_from_dublin_core(read_oai_dc(content[0]), identifier)
        else:
            record = read_marcxml(content[0], source_name=identifier)
            _identify(record, identifier)
    except MarcXmlError as error:
        return HarvestedRecord(identifier, stamp, False, None, str(error))
    return HarvestedRecord(identifier, stamp, False, record)


def _identify(record: Record, identifier: str) -> None:
    """Make the OAI identifier the record's 001, keeping the provider's 001 in 035."""
    original = record.get("001")
    source = record.get("003")
    if original is not None and original.data and original.data != identifier:
        prefix = f"({source.data})" if source is not None and source.data else ""
        record.add_ordered_field(
            Field(
                tag="035",
                indicators=Indicators(" ", " "),
                subfields=[Subfield("a", f"{prefix}{original.data}")],
            )
        )
    record.remove_fields("001")
    record.add_ordered_field(Field(tag="001", data=identifier))
