"""``penalty serve``: the fee-preview service over HTTP (FastAPI app, run by uvicorn).

Needs the ``server`` extra (``pip install 'penalty[server]'``); without it the command exits 2
with one line saying so. The service's settings travel to uvicorn's worker processes as JSON in
``PENALTY_SERVICE_SETTINGS`` (read by `penalty.service.app_from_env`).
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
from typing import Any

from penalty.errors import InvalidInput
from penalty.limits import SERVICE_MAX_BODY_BYTES, SERVICE_MAX_WINDOWS

__all__ = ["register"]

#: The environment variable carrying the settings to each worker.
SETTINGS_ENV = "PENALTY_SERVICE_SETTINGS"


#: The largest TCP port.
_MAX_PORT = 65535


def register(subparsers: Any) -> None:
    """Add ``serve`` to the CLI."""
    parser = subparsers.add_parser(
        "serve", help="serve quotes, schedules and fee previews over HTTP (JSON, OpenAPI 3.1)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument(
        "--cache-size",
        type=int,
        default=1024,
        metavar="N",
        help="compiled timelines kept in each worker's LRU cache (default 1024; 0: none)",
    )
    parser.add_argument(
        "--max-body",
        type=int,
        default=SERVICE_MAX_BODY_BYTES,
        metavar="BYTES",
        help="largest request body (default 1 MiB, at most 64 MiB; larger: 413)",
    )
    parser.add_argument(
        "--max-windows",
        type=int,
        default=SERVICE_MAX_WINDOWS,
        help="most windows in a policy (default 1000, at most 100,000)",
    )
    parser.add_argument(
        "--timeout", type=float, default=5.0, metavar="SECONDS", help="per-request timeout (5)"
    )
    parser.add_argument(
        "--log-level",
        choices=("debug", "info", "warning", "error"),
        default="info",
        help="log level; access logs are at info (default info)",
    )
    parser.add_argument("--no-widget", action="store_true", help="do not serve /widget")
    parser.set_defaults(run=_run)


def _missing_extra() -> bool:
    return any(importlib.util.find_spec(name) is None for name in ("fastapi", "uvicorn"))


def _run(args: argparse.Namespace) -> int:
    if _missing_extra():
        raise InvalidInput(
            "penalty serve needs the server extra: pip install 'penalty[server]'",
            code="missing_extra",
        )
    from penalty.service.settings import Settings

    try:
        settings = Settings(
            max_body_bytes=args.max_body,
            max_windows=args.max_windows,
            timeout_seconds=args.timeout,
            cache_size=args.cache_size,
            widget=not args.no_widget,
        )
    except ValueError as exc:
        raise InvalidInput(str(exc), code="invalid_setting") from None
    if args.workers < 1:
        raise InvalidInput(
            "--workers must be at least 1", value=args.workers, code="invalid_setting"
        )
    if not 0 <= args.port <= _MAX_PORT:
        raise InvalidInput("--port must be 0 to 65535", value=args.port, code="invalid_setting")
    import uvicorn

    os.environ[SETTINGS_ENV] = settings.to_json()
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    uvicorn.run(
        "penalty.service:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        access_log=False,
        server_header=False,
        log_config=None,
    )
    return 0
