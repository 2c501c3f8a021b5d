"""RFC 9457 problem details: every error the service answers is ``application/problem+json``.

A problem carries the standard members (``type``, ``title``, ``status``, ``detail``,
``instance``) and the package error's own: ``code`` (stable, for programs), ``path`` (the
offending request member, ``policy.cancelPenalties[1].percent``) and ``value`` (what was
received there, cut short). Nothing else: no traceback, no request body, no header.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from penalty.errors import PenaltyError

__all__ = ["PROBLEM_TYPE", "Problem", "from_penalty_error", "json_safe", "problem_body"]

#: ``type`` of every problem: this URN plus the code (``urn:penalty:problem:invalid_policy``).
PROBLEM_TYPE = "urn:penalty:problem:"
_TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    500: "Internal error",
    503: "Service unavailable",
}
_TEXT_LIMIT = 200


class Problem(Exception):
    """An error answer: status, code, message, and where (``path``) and what (``value``)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        path: str | None = None,
        value: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.path = path
        self.value = value
        self.headers = headers or {}


#: Integers a JSON reader holds exactly (a double's 53 bits); larger ones are shown as text.
_EXACT_IN_JSON_BITS = 53
#: How deep a shown value's containers go.
_MAX_DEPTH = 2


def json_safe(value: Any, depth: int = 0) -> Any:
    """``value`` as bounded JSON: strings cut to 200 characters, decimals as strings, at most
    8 items and 2 levels of containers; anything else by its type's name.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if value.bit_length() <= _EXACT_IN_JSON_BITS else str(value)[:_TEXT_LIMIT]
    if isinstance(value, Decimal):
        return str(value)[:_TEXT_LIMIT]
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return value if len(value) <= _TEXT_LIMIT else value[: _TEXT_LIMIT - 3] + "..."
    if depth >= _MAX_DEPTH:
        return f"<{type(value).__name__}>"
    if isinstance(value, list | tuple):
        return [json_safe(item, depth + 1) for item in value[:8]]
    if isinstance(value, dict):
        return {
            str(key)[:_TEXT_LIMIT]: json_safe(item, depth + 1)
            for key, item in list(value.items())[:8]
        }
    return f"<{type(value).__name__}>"


def from_penalty_error(error: PenaltyError, *, prefix: str | None = None) -> Problem:
    """A 422 problem from the engine's error, its path put under the request member
    ``prefix`` (``policy``, ``booking``, ``at``) when the error names a field inside it.
    """
    path = error.path
    if prefix is not None and path != prefix:
        path = prefix if not path else f"{prefix}.{path}" if path[0] != "[" else prefix + path
    return Problem(
        422,
        error.code,
        error.message,
        path=path,
        value=error.value if error.has_value else None,
    )


def problem_body(problem: Problem, instance: str) -> bytes:
    """The ``application/problem+json`` body of ``problem`` for the request path ``instance``."""
    return json.dumps(
        {
            "type": PROBLEM_TYPE + problem.code,
            "title": _TITLES.get(problem.status, "Error"),
            "status": problem.status,
            "detail": problem.message,
            "instance": instance,
            "code": problem.code,
            "path": problem.path,
            "value": json_safe(problem.value),
        },
        ensure_ascii=False,
    ).encode()
