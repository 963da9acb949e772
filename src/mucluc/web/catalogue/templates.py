"""Jinja2 rendering for catalogue pages, autoescaped so no record text becomes markup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """Render a page template with the request in its context."""
    return templates.TemplateResponse(request, name, context, status_code=status)
