"""The tantivy index under `MUCLUC_HOME/index`: schema, analysers, writing, and running queries.

Text reaches the index already keyed by `mucluc.core.normalise.text`; the
analysers only split on non-alphanumerics and lower-case, and the fold
fields also ASCII-fold (đ→d) so they can never hold a toned term. The
analysers are registered every time an index is opened, as tantivy requires.
Queries arrive as the one query model (`mucluc.core.query`) and are
translated here; see `mucluc.search.query` for how words are matched and
ranked.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections import Counter
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import tantivy

from mucluc.core.model import UnionRecordView
from mucluc.core.ports import FacetCount, SearchHit, SearchResults
from mucluc.core.query import FacetField, SearchRequest, SortOrder
from mucluc.errors import IndexBusyError
from mucluc.search.document import (
    HOLDINGS_LIFT_FIELD,
    PAIRED_FIELDS,
    TEXT_FIELDS,
    holder_values,
    index_document,
)
from mucluc.search.query import FOLD_ANALYSER, MATCH_ANALYSER, PAIRS_ANALYSER, QueryTranslator

logger = logging.getLogger(__name__)

STATE_FILE = "mucluc-index-state.json"
WRITER_HEAP_BYTES = 64_000_000
SCHEMA_VERSION = 5  # bump when the schema changes: an older index must be rebuilt

# Facet → the fast field counted, and whether its values read best by key (years) or count.
FACET_FIELDS: Mapping[FacetField, tuple[str, bool]] = {
    FacetField.LIBRARY: ("library", False),
    FacetField.PROVINCE: ("province", False),
    FacetField.LIBRARY_TYPE: ("library_type", False),
    FacetField.YEAR: ("year", True),
    FacetField.DECADE: ("decade", True),
    FacetField.LANGUAGE: ("language", False),
    FacetField.MATERIAL_TYPE: ("material_type", False),
    FacetField.SUBJECT: ("subject_facet", False),
    FacetField.DDC_CLASS: ("ddc_class", False),
}
# Sort order → (fast field, ascending?). Every key ends in the id, so ties never reorder.
SORT_FIELDS: Mapping[SortOrder, tuple[str, bool]] = {
    SortOrder.TITLE: ("sort_title", True),
    SortOrder.AUTHOR: ("sort_author", True),
    SortOrder.YEAR_NEWEST: ("sort_year_newest", False),
    SortOrder.YEAR_OLDEST: ("sort_year_oldest", True),
}
# Facets counted from the holders value (see `mucluc.search.document.holders_key`),
# by the position of their value in a holder; and how many distinct sets of
# holders one count takes in before falling back to the multi-valued fields.
HOLDER_FACETS: Mapping[FacetField, int] = {
    FacetField.LIBRARY: 0,
    FacetField.PROVINCE: 1,
    FacetField.LIBRARY_TYPE: 2,
}
HOLDER_SETS_COUNTED = 10_000
# Facets are counted here while the searching thread finds the page.
_FACET_COUNTING = ThreadPoolExecutor(max_workers=8, thread_name_prefix="facet-counting")
KEYWORD_FIELDS = (
    "isbn",
    "issn",
    "classification",
    "author_order",
    "holdings_tier",
)
FACET_KEYWORD_FIELDS = (
    "library",
    "province",
    "library_type",
    "language",
    "material_type",
    "subject_facet",
    "ddc_class",
    "decade",
    "holders",
)


def build_schema() -> tantivy.Schema:
    """The index schema: id, display data, keyed text, identifiers, facets, sort keys."""
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    builder.add_bytes_field("display", stored=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(f"{name}_match", tokenizer_name=MATCH_ANALYSER)
        builder.add_text_field(f"{name}_fold", tokenizer_name=FOLD_ANALYSER)
    for name in PAIRED_FIELDS:
        for form in ("match", "fold"):
            builder.add_text_field(
                f"{name}_pairs_{form}", tokenizer_name=PAIRS_ANALYSER, index_option="freq"
            )
    builder.add_text_field("province_fold", tokenizer_name=FOLD_ANALYSER)
    for name in KEYWORD_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    for name in FACET_KEYWORD_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_integer_field("year", indexed=True, fast=True)
    builder.add_unsigned_field(HOLDINGS_LIFT_FIELD, indexed=True)
    builder.add_text_field("sort_title", tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_text_field("sort_author", tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_unsigned_field("sort_year_newest", fast=True)
    builder.add_unsigned_field("sort_year_oldest", fast=True)
    return builder.build()


def _register_analysers(index: tantivy.Index) -> None:
    match_analyser = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .build()
    )
    fold_analyser = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )
    # Word pairs arrive joined and space-separated (`mucluc.search.document.word_pairs`).
    pairs_analyser = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
    index.register_tokenizer(MATCH_ANALYSER, match_analyser)
    index.register_tokenizer(FOLD_ANALYSER, fold_analyser)
    index.register_tokenizer(PAIRS_ANALYSER, pairs_analyser)


class TantivyIndex:
    """A tantivy index in a folder, plus the change-log position it reflects.

    The state file holds the highest change-log sequence applied and the
    sequences below it not seen yet (gaps a slower transaction may still
    fill); see `mucluc.services.indexing`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        restore_interrupted_swap(path)
        path.mkdir(parents=True, exist_ok=True)
        self.schema = build_schema()
        _discard_outdated_index(path)
        is_new = not (path / "meta.json").exists()
        try:
            self._index = tantivy.Index(self.schema, path=str(path), reuse=True)
        except ValueError as error:
            if "schema does not match" not in str(error):
                raise
            # Another schema under the same version number (a development build):
            # derived data, so start again like an outdated index.
            logger.warning("index_schema_mismatch", extra={"path": str(path)})
            _empty_folder(path)
            is_new = True
            self._index = tantivy.Index(self.schema, path=str(path), reuse=True)
        if is_new:
            _write_state(path, 0, {})
        _register_analysers(self._index)
        self._matcher = QueryTranslator(self.schema, scored=False)
        self._folder_identity = _identity(path)
        self._writer: Any = None

    # Writing

    def _writer_for_batch(self) -> Any:
        if self._writer is None:
            try:
                self._writer = self._index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
            except ValueError as error:
                if "LockBusy" not in str(error):
                    raise
                raise IndexBusyError(
                    f"the index at {self.path} is being written by another process"
                ) from error
        return self._writer

    def upsert(self, records: Iterable[UnionRecordView]) -> None:
        """Add or replace these union records."""
        writer = self._writer_for_batch()
        for view in records:
            writer.delete_documents_by_term("id", view.id)
            writer.add_document(tantivy.Document.from_dict(index_document(view), self.schema))

    def add_new(self, records: Iterable[UnionRecordView]) -> int:
        """Add union records known not to be in the index (a rebuild); return how many."""
        writer = self._writer_for_batch()
        count = 0
        for view in records:
            writer.add_document(tantivy.Document.from_dict(index_document(view), self.schema))
            count += 1
        return count

    def delete(self, union_record_ids: Iterable[int]) -> None:
        """Remove these union records."""
        writer = self._writer_for_batch()
        for union_record_id in union_record_ids:
            writer.delete_documents_by_term("id", union_record_id)

    def commit(
        self, applied_sequence: int, pending_gaps: Mapping[int, float] | None = None
    ) -> None:
        """Make the batch visible, then record the change-log position it reaches.

        Args:
            applied_sequence: The highest change-log sequence applied.
            pending_gaps: Sequences below it not seen yet, each with the time
                (seconds since the epoch) it was first missed.
        """
        writer = self._writer_for_batch()
        writer.commit()
        writer.wait_merging_threads()
        self._writer = None
        _write_state(self.path, applied_sequence, pending_gaps or {})
        self._index.reload()

    def applied_sequence(self) -> int:
        """The highest change-log sequence the index reflects (0 for a new index)."""
        return int(_read_state(self.path).get("applied_sequence", 0))

    def pending_gaps(self) -> dict[int, float]:
        """Sequences below the applied one not seen yet, with when each was first missed."""
        gaps = _read_state(self.path).get("pending_gaps", {})
        return {int(sequence): float(seen) for sequence, seen in gaps.items()}

    def document_count(self) -> int:
        """How many union records the index holds."""
        self._index.reload()
        return int(self._index.searcher().num_docs)

    def reopen_if_replaced(self) -> TantivyIndex:
        """After a rebuild swapped the folder, a fresh handle on the new index; else self."""
        if _identity(self.path) == self._folder_identity:
            return self
        return TantivyIndex(self.path)

    def reload(self) -> None:
        """See what other writers have committed since this handle last looked."""
        self._index.reload()

    # Reading

    def search(self, request: SearchRequest) -> SearchResults:
        """Run one search: a page of hits in the asked order, the total, the asked facets.

        Only the relevance page is scored, and counted in the same pass (the
        count is nearly free there). Facets, a page sorted by a field and a
        bare count need only which records match, so they run the cheaper
        unscored query; facets are counted on another thread while the page
        is found (tantivy lets go of the GIL), so a faceted search takes the
        longer of the two, not their sum.
        """
        searcher = self._index.searcher()
        matching = self._matcher.request_query(request)
        counting = (
            _FACET_COUNTING.submit(self._facets, searcher, matching, request)
            if request.facets
            else None
        )
        hits: tuple[SearchHit, ...] = ()
        if request.limit == 0:
            total = _count(searcher, matching)
        else:
            hits, total = self._page(searcher, matching, request)
        facets = counting.result() if counting is not None else {}
        return SearchResults(total=total, hits=hits, facets=facets)

    def _page(
        self, searcher: Any, matching: tantivy.Query, request: SearchRequest
    ) -> tuple[tuple[SearchHit, ...], int]:
        """The asked page of hits, and how many records match."""
        if request.sort is SortOrder.RELEVANCE:
            result = searcher.search(
                QueryTranslator(self.schema, searcher=searcher).request_query(request),
                limit=request.limit,
                offset=request.offset,
                count=True,
            )
        else:
            sort_field, ascending = SORT_FIELDS[request.sort]
            result = searcher.search(
                matching,
                limit=request.limit,
                offset=request.offset,
                count=True,
                order_by_field=sort_field,
                order=tantivy.Order.Asc if ascending else tantivy.Order.Desc,
            )
        hits = [self._hit(searcher, order_key, address) for order_key, address in result.hits]
        if request.sort is SortOrder.RELEVANCE:
            # tantivy breaks equal scores by position in the index; within the page
            # the union-record id decides, so equal hits read in a fixed order.
            hits.sort(key=lambda hit: (-hit.score, hit.id))
        return tuple(hits), _counted(result)

    def _hit(self, searcher: Any, order_key: Any, address: Any) -> SearchHit:
        document = searcher.doc(address)
        display = json.loads(bytes(document.get_first("display") or b"{}").decode())
        return SearchHit(
            id=int(document.get_first("id") or 0),
            title=display["title"],
            authors=tuple(display["authors"]),
            publisher=display["publisher"],
            year=display["year"],
            library_codes=tuple(display["libraries"]),
            score=float(order_key) if isinstance(order_key, float) else 0.0,
        )

    def _facets(
        self, searcher: Any, query: tantivy.Query, request: SearchRequest
    ) -> dict[str, tuple[FacetCount, ...]]:
        by_holders = [facet for facet in request.facets if facet in HOLDER_FACETS]
        aggregations = {
            facet.value: _terms(facet, request.facet_size)
            for facet in request.facets
            if facet not in HOLDER_FACETS
        }
        if by_holders:
            aggregations["holders"] = {"terms": {"field": "holders", "size": HOLDER_SETS_COUNTED}}
        answer = searcher.aggregate(query, aggregations)
        counts = {
            facet.value: _bucket_counts(answer.get(facet.value, {}))
            for facet in request.facets
            if facet not in HOLDER_FACETS
        }
        holder_sets = answer.get("holders", {})
        if holder_sets.get("sum_other_doc_count"):
            # More distinct sets of holders than one count takes in: count the
            # multi-valued fields themselves (exact, but many times slower).
            answer = searcher.aggregate(
                query, {facet.value: _terms(facet, request.facet_size) for facet in by_holders}
            )
            counts |= {
                facet.value: _bucket_counts(answer.get(facet.value, {})) for facet in by_holders
            }
        elif by_holders:
            counts |= _holder_facet_counts(holder_sets, by_holders, request.facet_size)
        return {facet.value: counts[facet.value] for facet in request.facets}


def _terms(facet: FacetField, size: int) -> dict[str, Any]:
    """The tantivy aggregation counting one facet's values."""
    field_name, by_key = FACET_FIELDS[facet]
    terms: dict[str, Any] = {"field": field_name, "size": size}
    if by_key:
        terms["order"] = {"_key": "desc"}
    return {"terms": terms}


def _bucket_counts(aggregation: Mapping[str, Any]) -> tuple[FacetCount, ...]:
    return tuple(
        FacetCount(value=_facet_value(bucket["key"]), count=int(bucket["doc_count"]))
        for bucket in aggregation.get("buckets", ())
    )


def _holder_facet_counts(
    holder_sets: Mapping[str, Any], facets: list[FacetField], size: int
) -> dict[str, tuple[FacetCount, ...]]:
    """Library, province and library-type counts from the counts of each set of holders.

    A record counts once for each distinct value among its holders; the most
    frequent values come first, ties in value order.
    """
    tallies: dict[FacetField, Counter[str]] = {facet: Counter() for facet in facets}
    for bucket in holder_sets.get("buckets", ()):
        values = holder_values(str(bucket["key"]))
        records = int(bucket["doc_count"])
        for facet, tally in tallies.items():
            for value in values[HOLDER_FACETS[facet]]:
                tally[value] += records
    return {
        facet.value: tuple(
            FacetCount(value=value, count=count)
            for value, count in sorted(tally.items(), key=lambda item: (-item[1], item[0]))[:size]
        )
        for facet, tally in tallies.items()
    }


def _count(searcher: Any, query: tantivy.Query) -> int:
    """How many records a query matches (tantivy's collectors need a limit of at least one)."""
    return _counted(searcher.search(query, limit=1, count=True))


def _counted(result: tantivy.SearchResult) -> int:
    """The count of a search run with count=True (the type stubs do not declare it)."""
    return int(getattr(result, "count", 0) or 0)


def _facet_value(key: object) -> str:
    """A bucket key as text; integer fields (years) may come back as floats."""
    if isinstance(key, float) and key.is_integer():
        return str(int(key))
    return str(key)


def _identity(path: Path) -> tuple[int, int]:
    status = path.stat()
    return (status.st_dev, status.st_ino)


def _read_state(path: Path) -> dict[str, Any]:
    state_path = path / STATE_FILE
    if not state_path.exists():
        return {}
    state: dict[str, Any] = json.loads(state_path.read_text())
    return state


def _write_state(path: Path, applied_sequence: int, pending_gaps: Mapping[int, float]) -> None:
    temporary = path / f"{STATE_FILE}.tmp"
    temporary.write_text(
        json.dumps(
            {
                "schema_version": SCHEMA_VERSION,
                "applied_sequence": applied_sequence,
                "pending_gaps": {str(sequence): seen for sequence, seen in pending_gaps.items()},
            }
        )
    )
    os.replace(temporary, path / STATE_FILE)


def _discard_outdated_index(path: Path) -> None:
    """Empty a folder holding an index of an older schema, so it is rebuilt from the change log.

    An index is derived data: starting again from sequence 0 re-applies the
    whole change log, which `mucluc reindex` does faster.
    """
    state = _read_state(path)
    has_index = (path / "meta.json").exists()
    if has_index and state.get("schema_version") != SCHEMA_VERSION:
        logger.warning("index_schema_outdated", extra={"path": str(path)})
        _empty_folder(path)


def _empty_folder(path: Path) -> None:
    for entry in path.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _retired_folder(live: Path) -> Path:
    return live.with_name(f"{live.name}.retired")


def replace_index_folder(live: Path, rebuilt: Path) -> None:
    """Swap a rebuilt index into place; readers holding the old files keep them until reopened.

    A kill at any point leaves a live index: the retired one is removed only
    while the live one exists, and put back if the kill fell between the renames.
    """
    retired = _retired_folder(live)
    restore_interrupted_swap(live)
    shutil.rmtree(retired, ignore_errors=True)
    if live.exists():
        os.replace(live, retired)
    os.replace(rebuilt, live)
    shutil.rmtree(retired, ignore_errors=True)


def restore_interrupted_swap(live: Path) -> None:
    """Put the retired index back if a swap was killed between its two renames.

    Without this the next start would find no index and create an empty one:
    search would answer nothing until the whole change log was applied again.
    """
    retired = _retired_folder(live)
    if not live.exists() and retired.exists():
        logger.warning("index_swap_interrupted", extra={"path": str(live)})
        os.replace(retired, live)
