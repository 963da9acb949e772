"""Wire the security parts into the app: limits and headers, the contribution API, the admin.

`create_app` calls `install_security` once; it owns the account store, the
sign-in throttle and the one worker thread that ingests large contribution
bodies in the background (one at a time, like the CLI's ingest).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI
from sqlalchemy import Engine

from mucluc.config import Settings
from mucluc.process_identity import process_is_gone
from mucluc.storage.accounts import SqlSecurityStore
from mucluc.storage.jobs import SqlJobBoard
from mucluc.storage.quarantine import SqlQuarantine
from mucluc.web.admin.blocklist import blocklist_router
from mucluc.web.admin.dedup import union_records_router
from mucluc.web.admin.jobs import jobs_router
from mucluc.web.admin.libraries import libraries_router
from mucluc.web.admin.pages import AdminState
from mucluc.web.admin.quarantine import quarantine_router
from mucluc.web.admin.routes import admin_router
from mucluc.web.api.contribution import contribution_router
from mucluc.web.guards import SecurityState
from mucluc.web.hardening import install_hardening
from mucluc.web.limits import SignInThrottle


def install_security(app: FastAPI, settings: Settings, engine: Engine) -> SecurityState:
    """Attach SecurityState, the hardening middleware and the security routers to `app`.

    A job whose server process has ended cannot finish (its body was only in
    that process's memory), so it is marked interrupted; the jobs of servers
    still running (sibling workers, a Z39.50 server, another host) are left alone.
    """
    store = SqlSecurityStore(engine)
    store.interrupt_orphaned_jobs(process_is_gone)
    state = SecurityState(
        settings=settings,
        store=store,
        sign_in_throttle=SignInThrottle(settings.sign_in_attempts, settings.sign_in_window_seconds),
        executor=ThreadPoolExecutor(max_workers=1, thread_name_prefix="contribution"),
    )
    app.state.security = state
    app.state.rate_limiter = install_hardening(app, settings)
    app.include_router(contribution_router)
    app.include_router(admin_router)
    app.state.admin = AdminState(jobs=SqlJobBoard(engine), quarantine=SqlQuarantine(engine))
    for router in (
        libraries_router,
        jobs_router,
        quarantine_router,
        union_records_router,
        blocklist_router,
    ):
        app.include_router(router)
    return state
