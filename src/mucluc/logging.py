"""Configure log output once, for the entry points; library code only logs."""

from __future__ import annotations

import logging


def configure_logging(*, debug: bool = False) -> None:
    """Readable console logs on stderr: warnings by default, everything with --debug."""
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
