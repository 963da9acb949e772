"""Reach the application's store, index and settings from a request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request

if TYPE_CHECKING:
    from mucluc.web.app import WebState


def web_state(request: Request) -> WebState:
    """The WebState that `create_app` attached to the application."""
    state: WebState = request.app.state.mucluc
    return state
