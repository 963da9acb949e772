"""The roles of the union catalogue and the one function that says what each may do.

Pure rules, no I/O: the web admin, the contribution API and the CLI all ask
`is_allowed` (or `authorise`, which raises), so a rule is written once and a
test matrix can check every role against every action.

    national_administrator   everything, every library
    library_administrator    its own library: records, keys, staff, details, audit, jobs
    cataloguer               its own library's records and holdings
    merge_reviewer           merge, split and never-merge decisions, any library
    api_reader               read its own library's contributed records (export)
    anonymous                the public catalogue only
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mucluc.errors import AuthenticationError, PermissionDeniedError


class Role(StrEnum):
    """A role an account or an API key acts in."""

    NATIONAL_ADMINISTRATOR = "national_administrator"
    LIBRARY_ADMINISTRATOR = "library_administrator"
    CATALOGUER = "cataloguer"
    MERGE_REVIEWER = "merge_reviewer"
    API_READER = "api_reader"
    ANONYMOUS = "anonymous"


class Action(StrEnum):
    """Something that needs a permission; the public catalogue needs none."""

    WRITE_RECORDS = "write_records"
    EXPORT_LIBRARY = "export_library"
    MANAGE_KEYS = "manage_keys"
    MANAGE_ACCOUNTS = "manage_accounts"
    MANAGE_LIBRARIES = "manage_libraries"
    READ_AUDIT = "read_audit"
    READ_JOBS = "read_jobs"
    REVIEW_MERGES = "review_merges"


LIBRARY_ROLES = frozenset({Role.LIBRARY_ADMINISTRATOR, Role.CATALOGUER, Role.API_READER})
"""Roles that only make sense with a member library (api_reader may also be national)."""

_LIBRARY_SCOPED_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.LIBRARY_ADMINISTRATOR: frozenset(
        {
            Action.WRITE_RECORDS,
            Action.EXPORT_LIBRARY,
            Action.MANAGE_KEYS,
            Action.MANAGE_ACCOUNTS,
            Action.MANAGE_LIBRARIES,
            Action.READ_AUDIT,
            Action.READ_JOBS,
        }
    ),
    Role.CATALOGUER: frozenset({Action.WRITE_RECORDS, Action.EXPORT_LIBRARY, Action.READ_JOBS}),
    Role.API_READER: frozenset({Action.EXPORT_LIBRARY, Action.READ_JOBS}),
}
_GLOBAL_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.NATIONAL_ADMINISTRATOR: frozenset(Action),
    Role.MERGE_REVIEWER: frozenset({Action.REVIEW_MERGES}),
}


@dataclass(frozen=True)
class Principal:
    """Who is asking: an actor name for the audit log, a role, and the library it speaks for.

    `actor` reads like `account:lan.nguyen`, `key:3f9a0c1d2e4b` or `cli:root`.
    """

    actor: str
    role: Role
    library_code: str | None = None

    @property
    def is_anonymous(self) -> bool:
        """Whether no credentials were given."""
        return self.role is Role.ANONYMOUS


ANONYMOUS = Principal(actor="anonymous", role=Role.ANONYMOUS)


def is_allowed(principal: Principal, action: Action, library_code: str | None = None) -> bool:
    """Whether `principal` may do `action`, on `library_code` when the action concerns one.

    A library role may act only on its own library; with `library_code` None
    (e.g. "read the whole audit log") only a role with the action everywhere
    is allowed.
    """
    if action in _GLOBAL_ACTIONS.get(principal.role, frozenset()):
        return True
    if action not in _LIBRARY_SCOPED_ACTIONS.get(principal.role, frozenset()):
        return False
    return principal.library_code is not None and principal.library_code == library_code


def authorise(principal: Principal, action: Action, library_code: str | None = None) -> None:
    """Return if allowed; raise AuthenticationError for anonymous, else PermissionDeniedError."""
    if is_allowed(principal, action, library_code):
        return
    if principal.is_anonymous:
        raise AuthenticationError("sign in, or send `Authorization: Bearer KEY`, to do this")
    where = f" for library {library_code}" if library_code else ""
    raise PermissionDeniedError(
        f"{principal.actor} ({principal.role.value}) may not {action.value.replace('_', ' ')}"
        f"{where}"
    )


def roles_assignable_by(principal: Principal) -> frozenset[Role]:
    """Roles `principal` may give to accounts: a library administrator only its library's."""
    if principal.role is Role.NATIONAL_ADMINISTRATOR:
        return frozenset(Role) - {Role.ANONYMOUS}
    if principal.role is Role.LIBRARY_ADMINISTRATOR:
        return frozenset({Role.LIBRARY_ADMINISTRATOR, Role.CATALOGUER, Role.API_READER})
    return frozenset()
