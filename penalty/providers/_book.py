"""What a provider sandbox remembers, always bounded: the base every sandbox builds on.

A sandbox keeps what its scenarios need and nothing more: per booking or order, its state (in a
`Bounded` map that forgets the least recently used entry past `MAX_ENTRIES`), and a short record
of what it saw (`Seen`, the last `MAX_SEEN` requests, no bodies). Tiki's and Ksher's sandboxes
pick an outcome per order the same way (`Outcomes`): a forced one, one set for the order, or a
prefix of the order's id.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Generic, Protocol, TypeVar, cast

from penalty.providers._http import RetryPolicy
from penalty.providers._sandbox import SandboxRequest, SandboxResponse, SandboxServer

__all__ = [
    "MAX_ENTRIES",
    "MAX_SEEN",
    "NO_WAIT",
    "Bounded",
    "Outcomes",
    "ProviderSandbox",
    "Seen",
    "json_response",
]

#: The most bookings or orders a sandbox remembers (the least recently used is forgotten).
MAX_ENTRIES = 10_000
#: The most requests a sandbox keeps a record of.
MAX_SEEN = 1_000

#: A sandbox's clients retry safe calls without waiting.
NO_WAIT = RetryPolicy(backoff=0.0, max_backoff=0.0)

K = TypeVar("K")
V = TypeVar("V")
Out = TypeVar("Out", bound=StrEnum)
SC = TypeVar("SC")
AC = TypeVar("AC")


class Bounded(OrderedDict[K, V]):
    """A dict that forgets its least recently used entry past ``limit`` entries."""

    def __init__(self, limit: int = MAX_ENTRIES) -> None:
        super().__init__()
        self.limit = limit

    def remember(self, key: K, make: Callable[[], V]) -> V:
        """The entry for ``key``, made with ``make()`` if absent; marks it recently used."""
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = make()
        while len(self) > self.limit:
            self.popitem(last=False)
        return value


@dataclass(frozen=True, slots=True)
class Seen:
    """One request as a sandbox understood it (for tests and the demo), without its body."""

    endpoint: str
    key: str
    amount: str | None = None
    answered: str = ""


class Clearable(Protocol):
    """A part of a sandbox's state that `ProviderSandbox.reset` empties."""

    def clear(self) -> None:
        """Forget everything."""


class Fault(StrEnum):
    """How a payment sandbox (Tiki, Ksher) fails instead of answering: the same five faults for
    each, which each answers in its provider's own way. An order id starting ``slow-`` (the
    value and a dash) gets the fault, as the provider's own outcomes do.
    """

    SLOW = "slow"  #: the right answer, `ProviderSandbox.slow_delay` seconds late
    SERVER_ERROR = "fail"  #: a 5xx
    GARBAGE = "garbage"  #: a 200 whose body is not JSON
    TRUNCATED = "truncated"  #: fewer bytes than announced
    RESET = "reset"  #: the connection dropped without an answer


class Outcomes(Generic[Out]):
    """Which outcome an order gets: `force` (every order), `set` (one order), or a prefix."""

    def __init__(self, default: Out, *members: type[Out]) -> None:
        self.default = default
        self.force: Out | None = None
        self._set: Bounded[str, Out] = Bounded()
        self._prefixes = {f"{o.value}-": o for enum in members for o in enum if o is not default}

    def set(self, key: str, outcome: Out) -> None:
        """Answer ``key`` with ``outcome``."""
        self._set.remember(key, lambda: outcome)
        self._set[key] = outcome

    def of(self, key: str) -> Out:
        """The outcome for ``key``."""
        if self.force is not None:
            return self.force
        if key in self._set:
            return self._set[key]
        for prefix, outcome in self._prefixes.items():
            if key.startswith(prefix):
                return outcome
        return self.default

    def clear(self) -> None:
        """Forget forced and set outcomes."""
        self.force = None
        self._set.clear()

    def prefixes(self) -> str:
        """The prefixes, as a banner lists them: ``paid- cancelled- …``."""
        return " ".join(self._prefixes)


class ProviderSandbox(Generic[SC, AC]):
    """The request handler of a provider sandbox (a `SandboxServer` serves it); thread-safe.

    Attributes:
        seen: the last `MAX_SEEN` requests, as `Seen` records.
        slow_delay: seconds a "slow" outcome waits before answering.
    """

    #: The provider's ``Client`` and ``AsyncClient`` (what `client` and `async_client` build).
    client_class: ClassVar[type[Any]]
    async_client_class: ClassVar[type[Any]]

    def __init__(self, *, slow_delay: float = 2.0) -> None:
        self.slow_delay = slow_delay
        self.seen: deque[Seen] = deque(maxlen=MAX_SEEN)
        self._lock = threading.RLock()

    def record(self, seen: Seen) -> None:
        """Remember one request."""
        with self._lock:
            self.seen.append(seen)

    def count(self, endpoint: str, key: str | None = None) -> int:
        """How many recorded requests reached ``endpoint`` (for ``key`` when given)."""
        with self._lock:
            return sum(1 for s in self.seen if s.endpoint == endpoint and key in {None, s.key})

    def reset(self) -> None:
        """Forget what was seen and the sandbox's state (what `_state` names)."""
        with self._lock:
            self.seen.clear()
            for part in self._state():
                part.clear()

    def _state(self) -> tuple[Clearable, ...]:
        """What `reset` clears besides the requests seen (a provider's orders, outcomes...)."""
        return ()

    def serve(self, *, port: int = 0) -> SandboxServer:
        """A `SandboxServer` for this sandbox on 127.0.0.1 (use it as a context manager)."""
        return SandboxServer(self, port=port)

    def config(self, url: str, **settings: Any) -> Any:
        """A client config for a server of this sandbox at ``url`` (its TEST-ONLY secrets);
        ``settings`` (``timeout=0.3``) override.
        """
        raise NotImplementedError

    def _config(self, url: str, options: dict[str, Any]) -> Any:
        """The config for ``url``; ``options`` that are settings (``timeout``) move into it."""
        base = self.config(url)
        settings = {
            name: options.pop(name) for name in list(options) if name in type(base).model_fields
        }
        options.setdefault("retry", NO_WAIT)
        return self.config(url, **settings) if settings else base

    def client(self, url: str, **options: Any) -> SC:
        """A ``Client`` for a server of this sandbox at ``url`` (no retry waits). ``options``
        are settings (``timeout=0.3``) or go to its constructor (``http``, ``now``...).
        """
        config = self._config(url, options)
        return cast("SC", self.client_class(config, **options))

    def async_client(self, url: str, **options: Any) -> AC:
        """An ``AsyncClient`` for a server of this sandbox at ``url``, as `client`."""
        config = self._config(url, options)
        return cast("AC", self.async_client_class(config, **options))

    def answer(self, request: SandboxRequest) -> SandboxResponse:
        """Answer one request (each provider's own logic)."""
        raise NotImplementedError

    def __call__(self, request: SandboxRequest) -> SandboxResponse:
        with self._lock:
            return self.answer(request)


def json_response(body: Mapping[str, Any], status: int = 200, **options: Any) -> SandboxResponse:
    """``body`` as compact JSON (non-ASCII kept)."""
    return SandboxResponse.json(json.dumps(body, ensure_ascii=False), status=status, **options)
