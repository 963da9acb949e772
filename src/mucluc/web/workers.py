"""The application in each process of `mucluc serve --workers N`.

uvicorn starts every worker as a new interpreter that imports
`create_worker_app` by name, so `mucluc serve` hands its settings (command
line options included) and its debug flag over through the environment.
"""

from __future__ import annotations

import json
import os

from fastapi import FastAPI

from mucluc.config import Settings
from mucluc.gc_tuning import tune_garbage_collection
from mucluc.logging import configure_logging
from mucluc.web.app import create_app

WORKER_SETTINGS_VARIABLE = "MUCLUC_SERVE_WORKER_SETTINGS"
WORKER_APP_FACTORY = f"{__name__}:create_worker_app"


def worker_environment(settings: Settings, *, debug: bool) -> dict[str, str]:
    """The environment variables that carry the settings to the workers."""
    handed_over = {"settings": settings.model_dump(mode="json"), "debug": debug}
    return {WORKER_SETTINGS_VARIABLE: json.dumps(handed_over)}


def create_worker_app() -> FastAPI:
    """Build one worker's application from the settings `mucluc serve` handed over."""
    handed_over = json.loads(os.environ[WORKER_SETTINGS_VARIABLE])
    configure_logging(debug=handed_over["debug"])
    tune_garbage_collection()
    # model_validate reads no environment or settings file: the settings arrive as they were.
    return create_app(Settings.model_validate(handed_over["settings"]))
