"""Request arguments as OAI-PMH and SRU receive them: GET query or POST form, repeats kept.

Both protocols must notice a repeated argument (an error for each), so the
values of every name are kept in order rather than collapsed to the last one.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import Request

MAX_BODY_BYTES = 64 * 1024


async def protocol_arguments(request: Request) -> dict[str, list[str]]:
    """Every argument name with all its values, from the query string or a POSTed form."""
    pairs = list(request.query_params.multi_items())
    if request.method == "POST":
        body = await request.body()
        text = body[:MAX_BODY_BYTES].decode("utf-8", "replace")
        pairs = parse_qsl(text, keep_blank_values=True)
    arguments: dict[str, list[str]] = {}
    for name, value in pairs:
        arguments.setdefault(name, []).append(value)
    return arguments
