"""The service's settings: limits, cache size, timeout. Plain values, no environment read here
(`penalty serve` turns its options into a `Settings`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any

from penalty.limits import (
    MAX_INPUT_BYTES,
    MAX_JSON_DEPTH,
    MAX_WINDOWS,
    SERVICE_MAX_BODY_BYTES,
    SERVICE_MAX_WINDOWS,
)

__all__ = ["Settings"]


@dataclass(frozen=True, slots=True)
class Settings:
    """What a `create_app` service allows and keeps.

    Attributes:
        max_body_bytes: a request body larger than this is refused with 413.
        max_windows: a policy with more windows is refused with 422 (``too_many_windows``).
        max_depth: JSON nested deeper than this (objects and arrays) is refused with 400.
        timeout_seconds: a request whose engine work takes longer is answered 503 (``timeout``).
        cache_size: how many compiled timelines the LRU cache keeps (0: no cache).
        widget: serve the fee-preview widget's static files at ``/widget``.
    """

    max_body_bytes: int = SERVICE_MAX_BODY_BYTES
    max_windows: int = SERVICE_MAX_WINDOWS
    max_depth: int = MAX_JSON_DEPTH
    timeout_seconds: float = 5.0
    cache_size: int = 1_024
    widget: bool = True

    def __post_init__(self) -> None:
        # Never past the engine's own limits (`penalty.limits`): the service is a way in, not
        # a way around them.
        for name, most in (
            ("max_body_bytes", MAX_INPUT_BYTES),
            ("max_windows", MAX_WINDOWS),
            ("max_depth", MAX_JSON_DEPTH),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
                msg = f"{name} must be an integer from 1 to {most:,}"
                raise ValueError(msg)
        if self.cache_size < 0:
            msg = "cache_size must not be negative"
            raise ValueError(msg)
        if not 0 < self.timeout_seconds < float("inf"):  # nan and inf too
            msg = "timeout_seconds must be positive and finite"
            raise ValueError(msg)

    def to_json(self) -> str:
        """These settings as JSON (how `penalty serve` hands them to its worker processes)."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Settings:
        """Settings from `to_json`'s text; unknown keys are refused."""
        data: dict[str, Any] = json.loads(text)
        known = {field.name for field in fields(cls)}
        unknown = set(data) - known
        if unknown:
            msg = f"unknown settings: {', '.join(sorted(unknown))}"
            raise ValueError(msg)
        return cls(**data)
