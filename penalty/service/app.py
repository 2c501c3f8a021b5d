"""The ASGI app: `create_app(settings)` → a `ServiceApp` (the POST endpoints straight from
ASGI, everything else through its FastAPI application).

Endpoints (every one documented in ``/openapi.json``): ``POST /v1/quote``, ``/v1/schedule``,
``/v1/preview`` (UI JSON, or the SVG chart with ``Accept: image/svg+xml``), ``GET /v1/formats``,
``GET /healthz``; the fee-preview widget's static files under ``/widget``.

The hot path of ``/v1/quote`` is: read the body (bounded); look its digest up (the very same
bytes asked again skip parsing); else parse it (exact decimals) and hash the canonical JSON of
what it compiles to find the compiled timeline in the LRU cache; quote; answer JSON bytes (a
quote's text is kept with its timeline). No routing, no dependency solving, no validation on
the way: the models document the shapes, and the tests hold the answers to them. Small
requests are compiled inline; large ones, and previews (babel), run in a worker thread under
the request timeout.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from importlib import resources
from typing import Any, TypeVar

import anyio
from anyio import to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from penalty import __version__
from penalty.errors import InvalidBooking, InvalidInstant, PenaltyError
from penalty.service import models
from penalty.service._engine import Engine, format_table
from penalty.service._request import Body, cache_key, check_depth, parse_body, read_body
from penalty.service.cache import LRUCache
from penalty.service.problems import Problem, from_penalty_error, problem_body
from penalty.service.settings import Settings

__all__ = ["ACCESS_LOGGER", "ServiceApp", "create_app"]

#: Where each request is logged: client, method, path, status, duration. Never a body, a
#: header or a query string.
ACCESS_LOGGER = "penalty.service.access"
_log = logging.getLogger("penalty.service")
_access = logging.getLogger(ACCESS_LOGGER)

T = TypeVar("T")
_JSON = "application/json"
_PROBLEM = "application/problem+json"
_JSON_BYTES = _JSON.encode()
_PROBLEM_BYTES = _PROBLEM.encode()
_SVG = "image/svg+xml"
#: Bodies up to this size are compiled inline (bounded work, well under a millisecond per
#: window); larger ones in a worker thread under the timeout.
_INLINE_BYTES = 16_384
#: Request members the engine's error paths are relative to.
_MEMBERS = ("policy", "booking", "format", "zone", "fold", "at", "locale", "tz", "width")
_RENAMED = {"now": "at", "viewer_tz": "tz"}
#: Problem statuses each endpoint documents, beyond 200.
_POST_PROBLEMS = {
    400: "the body is not JSON, or nested too deeply",
    413: "the body is larger than the limit",
    415: "the body is not declared as JSON",
    422: "a member is invalid: a policy, booking, instant, locale or zone",
    503: "the engine work took longer than the request timeout",
}


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _dumps(data: Any) -> bytes:
    return _encode(data).encode()


def _problem_response(problem: Problem, instance: str) -> Response:
    return Response(
        problem_body(problem, instance),
        status_code=problem.status,
        media_type=_PROBLEM,
        headers=problem.headers,
    )


def _engine_problem(error: PenaltyError) -> Problem:
    """The engine's error as a 422 whose path names the request member."""
    path = error.path or ""
    head = path.split(".", 1)[0].split("[", 1)[0]
    if head in _RENAMED:
        return Problem(
            422,
            error.code,
            error.message,
            path=_RENAMED[head] + path[len(head) :],
            value=error.value if error.has_value else None,
        )
    if head in _MEMBERS:
        return from_penalty_error(error)
    if isinstance(error, InvalidBooking):
        return from_penalty_error(error, prefix="booking")
    if isinstance(error, InvalidInstant):
        return from_penalty_error(error, prefix="at")
    return from_penalty_error(error, prefix="policy")


#: A request's members, its compiled timeline, and whether that came from the cache.
Prepared = tuple[Body, Any, bool]


class _Service:
    """The app's state: settings, engine, cache; and the request steps every endpoint shares."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        capacity = settings.cache_size if engine.cacheable else 0
        #: canonical key → compiled timeline; raw body digest → (members, compiled timeline).
        self.cache = LRUCache(capacity)
        self.bodies = LRUCache(capacity)
        self.started = time.monotonic()

    async def offload(self, function: Callable[[], T]) -> T:
        """Run ``function`` in a worker thread; 503 ``timeout`` past the request timeout."""
        try:
            with anyio.fail_after(self.settings.timeout_seconds):
                return await to_thread.run_sync(function, abandon_on_cancel=True)
        except TimeoutError:
            raise Problem(
                503,
                "timeout",
                f"the request took longer than {self.settings.timeout_seconds:g} s",
                headers={"Retry-After": "1"},
            ) from None

    async def prepare(self, raw: bytes, endpoint: bytes, allowed: frozenset[str]) -> Prepared:
        """The request's members and compiled timeline, and whether the cache had it.

        Two ways into the cache: the digest of the raw body (a page asking again with the very
        same bytes skips parsing, not only compiling), then the digest of the canonical JSON of
        what compiles (policy, booking, format, zone, fold), whatever the rest of the request.
        """
        digest = b""
        if self.cache.capacity:
            digest = hashlib.blake2b(raw, digest_size=20, person=endpoint).digest()
            known = self.bodies.get(digest)
            if known is not None:
                return known[0], known[1], True
        body = parse_body(raw, allowed=allowed)
        compiled, hit = await self.compiled(body, len(raw))
        if digest and body.keyable:
            # Kept without the parsed policy and booking (the compiled timeline stands for
            # them): the cache holds few objects for the garbage collector to walk.
            self.bodies.put(digest, (replace(body, policy=None, booking={}), compiled))
        return body, compiled, hit

    def cache_stats(self) -> dict[str, Any]:
        """The cache's size and hit rate: a hit by the raw body or by the canonical key."""
        hits = self.bodies.hits + self.cache.hits
        lookups = self.bodies.hits + self.bodies.misses
        return {
            "size": len(self.cache),
            "capacity": self.cache.capacity,
            "hits": hits,
            "misses": self.cache.misses,
            "hit_rate": None if lookups == 0 else round(hits / lookups, 4),
            "body_hits": self.bodies.hits,
        }

    async def compiled(self, body: Body, size: int) -> tuple[Any, bool]:
        """The compiled timeline of ``body``, and whether it came from the cache."""
        key = cache_key(body) if self.cache.capacity else None
        if key is not None:
            hit = self.cache.get(key)
            if hit is not None:
                return hit, True
        settings = self.settings
        check_depth(body.policy, settings.max_depth, "policy")
        check_depth(body.booking, settings.max_depth, "booking")
        job = partial(
            self.engine.compile,
            body.policy,
            body.booking,
            format=body.format,
            zone=body.zone,
            fold=body.fold,  # type: ignore[arg-type]  # checked by parse_body
            max_windows=settings.max_windows,
        )
        try:
            compiled = job() if size <= _INLINE_BYTES else await self.offload(job)
        except PenaltyError as error:
            raise _engine_problem(error) from None
        if key is not None:
            self.cache.put(key, compiled)
        return compiled, False


#: What a POST endpoint answers: (status, media type, body, extra headers).
Answer = tuple[int, bytes, bytes, list[tuple[bytes, bytes]]]
Handler = Callable[[_Service, dict[bytes, bytes], bytes], Awaitable[Answer]]

_QUOTE = frozenset({"policy", "booking", "format", "zone", "fold", "at"})
_SCHEDULE = frozenset({"policy", "booking", "format", "zone", "fold"})
_PREVIEW = frozenset({*_QUOTE, "locale", "tz", "width"})
_HIT = [(b"penalty-cache", b"hit")]
_MISS = [(b"penalty-cache", b"miss")]


def _now() -> datetime:
    return datetime.now(UTC)


async def _quote(service: _Service, _headers: dict[bytes, bytes], raw: bytes) -> Answer:
    body, compiled, hit = await service.prepare(raw, b"quote", _QUOTE)
    at: datetime | str = body.at if body.at is not None else _now()
    at_text = at if isinstance(at, str) else at.isoformat()
    try:
        content = service.engine.quote_json(compiled, at, at_text)
    except PenaltyError as error:
        raise _engine_problem(error) from None
    return 200, _JSON_BYTES, content, _HIT if hit else _MISS


async def _schedule(service: _Service, _headers: dict[bytes, bytes], raw: bytes) -> Answer:
    _, compiled, hit = await service.prepare(raw, b"schedule", _SCHEDULE)
    return 200, _JSON_BYTES, _dumps(service.engine.schedule(compiled)), _HIT if hit else _MISS


def _wants_svg(accept: str | None) -> bool:
    """Whether the Accept header prefers the SVG picture over JSON (406 when it takes
    neither).
    """
    if accept is None:
        return False
    ranked: dict[str, float] = {}
    for part in accept.split(","):
        kind, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranked[kind.lower()] = quality
    svg = max(ranked.get(_SVG, 0.0), ranked.get("image/*", 0.0))
    json_ = max(ranked.get(_JSON, 0.0), ranked.get("application/*", 0.0), ranked.get("*/*", 0.0))
    if svg <= 0.0 and json_ <= 0.0:
        raise Problem(
            406,
            "not_acceptable",
            f"the preview is {_JSON} or {_SVG}",
            path="Accept",
            value=accept,
        )
    return svg > json_


async def _preview(service: _Service, headers: dict[bytes, bytes], raw: bytes) -> Answer:
    accept = headers.get(b"accept")
    svg = _wants_svg(None if accept is None else accept.decode("latin-1"))
    body, compiled, hit = await service.prepare(raw, b"preview", _PREVIEW)
    job = partial(
        service.engine.preview,
        compiled,
        locale=body.locale,
        now=body.at if body.at is not None else _now(),
        viewer_tz=body.tz,
        svg_width=(body.width or 960) if svg else None,
    )
    try:
        shown = await service.offload(job)
    except PenaltyError as error:
        raise _engine_problem(error) from None
    extra = [*(_HIT if hit else _MISS), (b"vary", b"Accept")]
    if isinstance(shown, str):
        return 200, _SVG.encode(), shown.encode(), extra
    return 200, _JSON_BYTES, _dumps(shown), extra


#: The POST endpoints, served by `_Endpoints` straight from ASGI (no routing, no dependency
#: solving: the hot path), and documented through FastAPI routes that call the same handlers.
_HANDLERS: dict[str, Handler] = {
    "/v1/quote": _quote,
    "/v1/schedule": _schedule,
    "/v1/preview": _preview,
}
_CORS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", b"Penalty-Cache"),
]


async def _serve(
    service: _Service, handler: Handler, scope: Scope, receive: Receive, send: Send
) -> None:
    """Answer one POST with ``handler``: every failure a problem+json, never a traceback."""
    headers = dict(scope["headers"])
    try:
        raw = await read_body(headers, receive, service.settings.max_body_bytes)
        status, media, content, extra = await handler(service, headers, raw)
    except Problem as problem:
        status, media, content = (
            problem.status,
            _PROBLEM_BYTES,
            problem_body(problem, scope["path"]),
        )
        extra = [(name.lower().encode(), value.encode()) for name, value in problem.headers.items()]
    except Exception:  # noqa: BLE001 - whatever breaks, the client gets a problem, not a traceback
        _log.exception("internal error on POST %s", scope["path"])
        crash = Problem(500, "internal_error", "an internal error; it has been logged")
        status, media, content = 500, _PROBLEM_BYTES, problem_body(crash, scope["path"])
        extra = []
    response = [
        (b"content-type", media),
        (b"content-length", str(len(content)).encode()),
        *extra,
    ]
    if b"origin" in headers:
        response += _CORS
    await send({"type": "http.response.start", "status": status, "headers": response})
    await send({"type": "http.response.body", "body": content})


class ServiceApp:
    """The service's ASGI app: the POST endpoints straight from ASGI (the hot path), the rest
    (``/openapi.json``, ``GET`` endpoints, the widget, 404s, lifespan) through FastAPI.

    Attributes:
        fastapi: the FastAPI application (routes, OpenAPI document).
        settings: the `Settings` it runs with.
    """

    def __init__(self, fastapi: FastAPI, service: _Service) -> None:
        self.fastapi = fastapi
        self.settings = service.settings
        self._service = service
        self._app: ASGIApp = _AccessLog(self._route)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI entry point: every request goes through the access log to the router."""
        await self._app(scope, receive, send)

    async def _route(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            handler = _HANDLERS.get(scope["path"])
            if handler is not None:
                await _serve(self._service, handler, scope, receive, send)
                return
        await self.fastapi(scope, receive, send)

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI 3.1 document (what ``GET /openapi.json`` answers)."""
        return self.fastapi.openapi()

    def cache_stats(self) -> dict[str, Any]:
        """The compiled-timeline cache's size, capacity, hits, misses and hit rate."""
        return self._service.cache_stats()


class _AccessLog:
    """Logs one line per HTTP request on `ACCESS_LOGGER` (pure ASGI, no body buffering)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _access.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            client = scope.get("client")
            _access.info(
                '%s "%s %s" %d %.1fms',
                f"{client[0]}:{client[1]}" if client else "-",
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
            )


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> ServiceApp:
    """The fee-preview service as an ASGI app (run it with uvicorn, or ``penalty serve``)."""
    settings = settings or Settings()
    service = _Service(settings, engine or Engine())
    app = FastAPI(
        title="penalty",
        version=__version__,
        summary="Exact hotel cancellation fees: quotes, schedules and fee previews.",
        description=(
            "Every request is one JSON object: the provider's cancellation payload (`policy`, "
            "any format penalty reads), the `booking`, and the cancel instant `at` (ISO 8601; "
            "absent: now). Money is always a decimal string. Errors are RFC 9457 "
            "`application/problem+json` with the error's `code`, `path` and `value`."
        ),
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = service
    for path, summary in (
        ("/v1/quote", "The fee of cancelling at one instant"),
        ("/v1/schedule", "The whole fee schedule"),
        ("/v1/preview", "The fee preview: UI JSON, or the SVG chart with Accept: image/svg+xml"),
    ):
        app.add_api_route(
            path,
            _documented(service, _HANDLERS[path]),
            methods=["POST"],
            summary=summary,
            operation_id=path.rsplit("/", 1)[1],
        )

    async def formats() -> Response:
        return Response(_dumps({"formats": format_table()}), media_type=_JSON)

    async def healthz() -> Response:
        answer = {
            "status": "ok",
            "version": __version__,
            "uptime_seconds": round(time.monotonic() - service.started, 3),
            "cache": service.cache_stats(),
        }
        return Response(_dumps(answer), media_type=_JSON)

    app.add_api_route(
        "/v1/formats",
        formats,
        methods=["GET"],
        summary="The payload formats the service reads",
        operation_id="formats",
    )
    app.add_api_route(
        "/healthz",
        healthz,
        methods=["GET"],
        summary="Liveness, version, and the timeline cache's size and hit rate",
        operation_id="healthz",
    )
    if settings.widget:
        static = resources.files("penalty.service") / "static"
        app.mount("/widget", StaticFiles(directory=str(static), html=True), name="widget")

        async def root() -> Response:
            return RedirectResponse("/widget/")

        app.add_api_route("/", root, methods=["GET"], include_in_schema=False)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, StarletteHTTPException):  # registered for that class only
            raise exc
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        problem = Problem(exc.status_code, code, str(exc.detail), path=None)
        response = _problem_response(problem, request.url.path)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    async def on_problem(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, Problem):  # registered for that class only
            raise exc
        return _problem_response(exc, request.url.path)

    async def on_crash(request: Request, exc: Exception) -> Response:
        _log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        problem = Problem(500, "internal_error", "an internal error; it has been logged")
        return _problem_response(problem, request.url.path)

    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(Exception, on_crash)
    app.openapi = partial(_openapi, app)  # type: ignore[method-assign]
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Accept"],
        expose_headers=["Penalty-Cache"],
    )
    return ServiceApp(app, service)


def _documented(service: _Service, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A FastAPI endpoint running ``handler`` (the route documents the operation; requests
    reach `ServiceApp` first, which calls the same handler without FastAPI's routing).
    """

    async def endpoint(request: Request) -> Response:
        scope = dict(request.scope)
        sent: list[Message] = []

        async def keep(message: Message) -> None:
            sent.append(message)

        await _serve(service, handler, scope, request.receive, keep)
        start, body = sent
        return Response(
            body["body"],
            status_code=start["status"],
            headers={
                name.decode("latin-1"): value.decode("latin-1")
                for name, value in start["headers"]
                if name != b"content-length"
            },
        )

    return endpoint


#: path → (method, request model, 200 model, problem statuses with their meaning).
_OPERATIONS: dict[str, tuple[str, type[Any] | None, type[Any], dict[int, str]]] = {
    "/v1/quote": ("post", models.QuoteRequest, models.QuoteResponse, _POST_PROBLEMS),
    "/v1/schedule": ("post", models.ScheduleRequest, models.ScheduleResponse, _POST_PROBLEMS),
    "/v1/preview": (
        "post",
        models.PreviewRequest,
        models.PreviewResponse,
        {**_POST_PROBLEMS, 406: "Accept names neither JSON nor SVG"},
    ),
    "/v1/formats": ("get", None, models.FormatsResponse, {}),
    "/healthz": ("get", None, models.HealthResponse, {}),
}


def _ref(model: type[Any], schemas: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI 3.1 document: FastAPI's paths, with the request and response shapes the
    endpoints read and write themselves (every response has its JSON Schema).
    """
    if app.openapi_schema is not None:
        return app.openapi_schema
    document = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
    )
    schemas: dict[str, Any] = {}
    problem = _ref(models.Problem, schemas)
    for path, (method, request, answer, problems) in _OPERATIONS.items():
        operation = document["paths"][path][method]
        content: dict[str, Any] = {_JSON: {"schema": _ref(answer, schemas)}}
        if path == "/v1/preview":
            content[_SVG] = {"schema": {"type": "string", "description": "the SVG chart"}}
        operation["responses"] = {
            "200": {"description": (answer.__doc__ or "").split("\n")[0], "content": content},
            **{
                str(status): {"description": text, "content": {_PROBLEM: {"schema": problem}}}
                for status, text in sorted(problems.items())
            },
        }
        if request is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {_JSON: {"schema": _ref(request, schemas)}},
            }
    document["components"] = {"schemas": dict(sorted(schemas.items()))}
    app.openapi_schema = document
    return document
