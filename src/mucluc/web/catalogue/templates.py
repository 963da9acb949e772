"""Jinja2 rendering for catalogue pages, autoescaped so no record text becomes markup.

Every page gets `_` (the reader's language's gettext), `lang`, and the links
that switch language; a `?lang=` choice is remembered in a cookie.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from mucluc.web.i18n import (
    LANGUAGE_COOKIE,
    LANGUAGE_NAMES,
    LANGUAGES,
    load_language,
    requested_language,
)

LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def language_context(request: Request) -> dict[str, Any]:
    """What every page needs to speak the reader's language and offer the other one."""
    language = load_language(requested_language(request))
    switches = [
        (code, LANGUAGE_NAMES[code], str(request.url.include_query_params(lang=code)))
        for code in LANGUAGES
        if code != language.code
    ]
    return {
        "_": language.gettext,
        "ngettext": language.ngettext,
        "lang": language.code,
        "language_switches": switches,
        "number": lambda value: format_decimal(value, locale=language.code),
    }


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    status: int = 200,
    *,
    environment: Jinja2Templates = templates,
) -> HTMLResponse:
    """Render a page template (from `environment`) in the reader's language."""
    page_context = {**language_context(request), **context}
    response = environment.TemplateResponse(request, name, page_context, status_code=status)
    language = page_context["lang"]
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE, language, max_age=LANGUAGE_COOKIE_SECONDS, samesite="lax"
        )
    return response
