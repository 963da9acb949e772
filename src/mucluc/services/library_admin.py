"""Staff add and edit member libraries: national administrators any, a library's own its own.

Each change is checked against the role rules first and appended to the
audit log with the details before and after.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from mucluc.accounts.roles import Action, Principal, authorise, is_allowed
from mucluc.core.model import LibraryInfo
from mucluc.core.ports import CatalogueStore
from mucluc.errors import LibraryNotFoundError, PermissionDeniedError
from mucluc.services.audit import AuditLog, record_audit_event
from mucluc.services.catalogue import add_library, list_libraries, update_library


def may_add_libraries(principal: Principal) -> bool:
    """Whether `principal` may register new member libraries (national administrators)."""
    return is_allowed(principal, Action.MANAGE_LIBRARIES)


def editable_library(store: CatalogueStore, principal: Principal, code: str) -> LibraryInfo:
    """The library with this code, for a principal allowed to edit it."""
    authorise(principal, Action.MANAGE_LIBRARIES, code)
    for library in list_libraries(store):
        if library.code == code:
            return library
    raise LibraryNotFoundError(f"no member library has the code {code!r}")


def register_library(
    store: CatalogueStore,
    audit_log: AuditLog,
    principal: Principal,
    library: LibraryInfo,
    *,
    client_address: str = "",
) -> None:
    """Add a member library (national administrators only) and audit it."""
    authorise(principal, Action.MANAGE_LIBRARIES)
    add_library(store, library)
    _audit(audit_log, principal, "library.create", library.code, client_address, asdict(library))


def edit_library(
    store: CatalogueStore,
    audit_log: AuditLog,
    principal: Principal,
    library: LibraryInfo,
    *,
    client_address: str = "",
) -> None:
    """Change a library's details, for its own administrator or a national one; audited.

    Only a national administrator changes a library's type: the type ranks
    whose record speaks for a union record (the national library first).
    """
    before = editable_library(store, principal, library.code)
    if library.type != before.type and not may_add_libraries(principal):
        raise PermissionDeniedError(
            "only a national administrator may change a library's type: it decides "
            "whose record speaks for the union records"
        )
    update_library(store, library)
    changed = {
        name: {"from": old, "to": new}
        for (name, old), new in zip(asdict(before).items(), asdict(library).values(), strict=True)
        if old != new
    }
    _audit(audit_log, principal, "library.update", library.code, client_address, changed)


def _audit(
    audit_log: AuditLog,
    principal: Principal,
    action: str,
    code: str,
    client_address: str,
    details: Mapping[str, Any],
) -> None:
    record_audit_event(
        audit_log,
        actor=principal.actor,
        action=action,
        library_code=code,
        target=code,
        client_address=client_address,
        details=details,
    )
