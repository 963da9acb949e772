"""The tantivy index under `MUCLUC_HOME/index`: schema, analysers, writing and querying.

Text reaches the index already keyed by `mucluc.core.normalise.text`; the
analysers only split on non-alphanumerics and lower-case, and the fold
fields also ASCII-fold (đ→d) so they can never hold a toned term. The
analysers are registered every time an index is opened, as tantivy requires.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tantivy

from mucluc.core.model import UnionRecordView
from mucluc.core.normalise.isbn import normalise_isbn
from mucluc.core.normalise.text import fold_key, has_vietnamese_marks, match_key
from mucluc.core.ports import SearchHit, SearchResults
from mucluc.errors import IndexBusyError
from mucluc.search.document import TEXT_FIELDS, index_document

logger = logging.getLogger(__name__)

MATCH_ANALYSER = "vi_match"
FOLD_ANALYSER = "vi_fold"
STATE_FILE = "mucluc-index-state.json"
WRITER_HEAP_BYTES = 64_000_000
FIELD_BOOSTS = {"title": 4.0, "author": 2.0, "subject": 1.5, "all": 1.0}
TONE_EXACT_BOOST = 2.0


def build_schema() -> tantivy.Schema:
    """The index schema: id, stored display data, keyed text, identifiers, year."""
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    builder.add_bytes_field("display", stored=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(f"{name}_match", tokenizer_name=MATCH_ANALYSER)
        builder.add_text_field(f"{name}_fold", tokenizer_name=FOLD_ANALYSER)
    builder.add_text_field("isbn", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("library", tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("year", indexed=True, fast=True)
    builder.add_integer_field("holding_libraries", fast=True)
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
    index.register_tokenizer(MATCH_ANALYSER, match_analyser)
    index.register_tokenizer(FOLD_ANALYSER, fold_analyser)


class TantivyIndex:
    """A tantivy index in a folder, plus the last change-log sequence it reflects."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.schema = build_schema()
        self._index = tantivy.Index(self.schema, path=str(path), reuse=True)
        _register_analysers(self._index)
        self._folder_identity = _identity(path)
        self._writer: Any = None
        self._pending_deletes: list[int] = []

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

    def delete(self, union_record_ids: Iterable[int]) -> None:
        """Remove these union records."""
        writer = self._writer_for_batch()
        for union_record_id in union_record_ids:
            writer.delete_documents_by_term("id", union_record_id)

    def commit(self, applied_sequence: int) -> None:
        """Make the batch visible, then record the change-log sequence it reaches."""
        writer = self._writer_for_batch()
        writer.commit()
        writer.wait_merging_threads()
        self._writer = None
        _write_state(self.path, applied_sequence)
        self._index.reload()

    def applied_sequence(self) -> int:
        """The last change-log sequence the index reflects (0 for a new index)."""
        state_path = self.path / STATE_FILE
        if not state_path.exists():
            return 0
        return int(json.loads(state_path.read_text())["applied_sequence"])

    def document_count(self) -> int:
        """How many union records the index holds."""
        self._index.reload()
        return int(self._index.searcher().num_docs)

    def reopen_if_replaced(self) -> TantivyIndex:
        """After a rebuild swapped the folder, a fresh handle on the new index; else self."""
        if _identity(self.path) == self._folder_identity:
            return self
        return TantivyIndex(self.path)

    # Reading

    def search(self, text: str, offset: int, limit: int) -> SearchResults:
        """Records matching a reader's query text, best first.

        Every word must occur (folded) in the title, an author, a subject or
        elsewhere; a query carrying tones also scores exact-tone phrases higher.
        A query that is an ISBN (either form, any hyphenation) finds by ISBN.
        """
        self._index.reload()
        searcher = self._index.searcher()
        query = self._build_query(text)
        result = searcher.search(
            query, limit=limit, offset=offset, count=True, weight_by_field="holding_libraries"
        )
        hits = []
        for score, address in result.hits:
            document = searcher.doc(address)
            display = json.loads(bytes(document.get_first("display") or b"{}").decode())
            hits.append(
                SearchHit(
                    id=int(document.get_first("id") or 0),
                    title=display["title"],
                    authors=tuple(display["authors"]),
                    publisher=display["publisher"],
                    year=display["year"],
                    library_codes=tuple(display["libraries"]),
                    score=float(score),
                )
            )
        total = int(getattr(result, "count", 0) or 0)
        return SearchResults(total=total, hits=tuple(hits))

    def _build_query(self, text: str) -> tantivy.Query:
        isbn = normalise_isbn(text)
        if isbn:
            return tantivy.Query.term_query(self.schema, "isbn", isbn)
        words = fold_key(text).split()
        if not words:
            return tantivy.Query.all_query()
        every_word = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, self._word_query(word)) for word in words]
        )
        if not has_vietnamese_marks(text):
            return every_word
        toned: list[str | tuple[int, str]] = list(match_key(text).split())
        exact_tone = tantivy.Query.boost_query(self._phrase_query("match", toned), TONE_EXACT_BOOST)
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, every_word), (tantivy.Occur.Should, exact_tone)]
        )

    def _word_query(self, word: str) -> tantivy.Query:
        alternatives = [
            tantivy.Query.boost_query(
                tantivy.Query.term_query(self.schema, f"{name}_fold", word), boost
            )
            for name, boost in FIELD_BOOSTS.items()
        ]
        return tantivy.Query.disjunction_max_query(alternatives)

    def _phrase_query(self, form: str, words: list[str | tuple[int, str]]) -> tantivy.Query:
        if len(words) == 1 and isinstance(words[0], str):
            return tantivy.Query.term_query(self.schema, f"title_{form}", words[0])
        return tantivy.Query.phrase_query(self.schema, f"title_{form}", words)


def _identity(path: Path) -> tuple[int, int]:
    status = path.stat()
    return (status.st_dev, status.st_ino)


def _write_state(path: Path, applied_sequence: int) -> None:
    temporary = path / f"{STATE_FILE}.tmp"
    temporary.write_text(json.dumps({"applied_sequence": applied_sequence}))
    os.replace(temporary, path / STATE_FILE)


def replace_index_folder(live: Path, rebuilt: Path) -> None:
    """Swap a rebuilt index into place; readers holding the old files keep them until reopened."""
    retired = live.with_name(f"{live.name}.retired")
    shutil.rmtree(retired, ignore_errors=True)
    if live.exists():
        os.replace(live, retired)
    os.replace(rebuilt, live)
    shutil.rmtree(retired, ignore_errors=True)
