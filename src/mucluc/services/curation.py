"""Staff decisions about union records from the web admin: merge, split, never-merge, blocklist.

These wrap the matcher's own override and blocklist services (the ones
`mucluc dedup` drives), so a decision is stored with its actor and reason
and respected by every later run; here the role rules are checked first
(merge reviewers and national administrators) and each decision is
appended to the audit log in the decision's own transaction. Union records
are named by id, or by one of their members as LIBRARY:LOCAL-ID.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mucluc.accounts.roles import Action, Principal, authorise
from mucluc.core.audit import AuditEvent
from mucluc.core.normalise.isbn import normalise_isbn
from mucluc.core.ports import BlockedIsbnEntry, MatchingStore
from mucluc.errors import DedupError
from mucluc.services.matching import (
    UnionExplanation,
    block_isbn,
    explain_union_record,
    list_blocked_isbns,
    merge_union_records,
    never_merge_union_records,
    split_union_record,
    unblock_isbn,
)


def review_union_records(
    store: MatchingStore, principal: Principal, references: Sequence[str]
) -> list[UnionExplanation]:
    """The members of these union records and why each is one, for a reviewer."""
    authorise(principal, Action.REVIEW_MERGES)
    return [
        explain_union_record(store, union_record_id(store, reference))
        for reference in references
        if reference.strip()
    ]


def union_record_id(store: MatchingStore, reference: str) -> int:
    """The union record a reference names: its id, or a member's LIBRARY:LOCAL-ID."""
    reference = reference.strip()
    if reference.isdigit():
        return int(reference)
    code, separator, local_id = reference.partition(":")
    if not separator or not code or not local_id:
        raise DedupError(f"{reference!r}: give a union record id or LIBRARY:LOCAL-ID")
    with store.transaction() as transaction:
        found = transaction.find_source_records(transaction.library_id(code), [local_id])
    stored = found.get(local_id)
    if stored is None or stored.status != "active" or stored.union_record_id is None:
        raise DedupError(f"{reference} is not an active record in any union record")
    return stored.union_record_id


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise DedupError("say why: a staff decision needs a reason")
    return reason


def staff_merge(
    store: MatchingStore,
    principal: Principal,
    references: Sequence[str],
    *,
    reason: str,
    client_address: str = "",
) -> int:
    """Merge the named union records; return the id that stands for them all now."""
    authorise(principal, Action.REVIEW_MERGES)
    reason = _reason(reason)
    ids = [union_record_id(store, reference) for reference in references]
    return merge_union_records(
        store,
        ids,
        reason=reason,
        actor=principal.actor,
        audited=lambda survivor: AuditEvent(
            actor=principal.actor,
            action="union.merge",
            target=str(survivor),
            client_address=client_address,
            details={"union_records": ids, "survivor": survivor, "reason": reason},
        ),
    )


def staff_split(
    store: MatchingStore,
    principal: Principal,
    reference: str,
    members: Sequence[str],
    *,
    reason: str,
    client_address: str = "",
) -> tuple[int, int]:
    """Split members (LIBRARY:LOCAL-ID) off a union record; return (kept id, new id)."""
    authorise(principal, Action.REVIEW_MERGES)
    reason = _reason(reason)
    union_id = union_record_id(store, reference)
    return split_union_record(
        store,
        union_id,
        members,
        reason=reason,
        actor=principal.actor,
        audited=lambda parts: AuditEvent(
            actor=principal.actor,
            action="union.split",
            target=str(union_id),
            client_address=client_address,
            details={
                "members": list(members),
                "kept": parts[0],
                "split_off": parts[1],
                "reason": reason,
            },
        ),
    )


def staff_never_merge(
    store: MatchingStore,
    principal: Principal,
    first: str,
    second: str,
    *,
    reason: str,
    client_address: str = "",
) -> tuple[int, int]:
    """Keep two union records apart in every later run; return their ids."""
    authorise(principal, Action.REVIEW_MERGES)
    reason = _reason(reason)
    left, right = union_record_id(store, first), union_record_id(store, second)
    audit = AuditEvent(
        actor=principal.actor,
        action="union.never_merge",
        target=f"{left},{right}",
        client_address=client_address,
        details={"union_records": [left, right], "reason": reason},
    )
    never_merge_union_records(store, left, right, reason=reason, actor=principal.actor, audit=audit)
    return left, right


def isbn_blocklist(store: MatchingStore, principal: Principal) -> list[BlockedIsbnEntry]:
    """The blocked ISBNs, for a reviewer."""
    authorise(principal, Action.REVIEW_MERGES)
    return list_blocked_isbns(store)


def staff_block_isbn(
    store: MatchingStore,
    principal: Principal,
    isbn: str,
    *,
    reason: str,
    client_address: str = "",
) -> bool:
    """Block an ISBN (normalised and checked); False if it was blocked already."""
    authorise(principal, Action.REVIEW_MERGES)
    reason = _reason(reason)
    audit = _isbn_event(principal, "isbn.block", isbn, client_address, {"reason": reason})
    return block_isbn(store, isbn, reason=reason, actor=principal.actor, audit=audit)


def staff_unblock_isbn(
    store: MatchingStore,
    principal: Principal,
    isbn: str,
    *,
    client_address: str = "",
) -> bool:
    """Take an ISBN off the blocklist; False if it was not there."""
    authorise(principal, Action.REVIEW_MERGES)
    return unblock_isbn(
        store, isbn, audit=_isbn_event(principal, "isbn.unblock", isbn, client_address)
    )


def _isbn_event(
    principal: Principal,
    action: str,
    isbn: str,
    client_address: str,
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent(
        actor=principal.actor,
        action=action,
        target=normalise_isbn(isbn) or isbn,
        client_address=client_address,
        details=details or {},
    )
