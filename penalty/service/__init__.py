"""The fee-preview service: JSON over HTTP for booking pages written in any language.

``pip install 'penalty[server]'``, then ``penalty serve`` (uvicorn), or build the ASGI app
yourself with `create_app`. See the README, section "Service". The engine never imports this
package.
"""

from __future__ import annotations

import gc
import os

from penalty.service.app import ServiceApp, create_app
from penalty.service.settings import Settings

__all__ = ["ServiceApp", "Settings", "app_from_env", "create_app"]


def app_from_env() -> ServiceApp:
    """The app with the settings `penalty serve` put in ``PENALTY_SERVICE_SETTINGS`` (JSON;
    defaults when unset): uvicorn's factory in each worker process.

    Once built, everything loaded so far (FastAPI, pydantic, babel's tables: hundreds of
    thousands of objects that live as long as the process) is moved out of the garbage
    collector's sight (`gc.freeze`), so that a full collection under load does not walk it
    all: those pauses were the p99 latency.
    """
    text = os.environ.get("PENALTY_SERVICE_SETTINGS")
    app = create_app(Settings.from_json(text) if text else Settings())
    gc.collect()
    gc.freeze()
    return app
