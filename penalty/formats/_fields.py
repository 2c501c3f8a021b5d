"""What every parse-only format translator shares: raw models, strict fields, step windows.

Each provider module under `penalty.providers` mirrors its provider's JSON in frozen pydantic
models (`Raw`, unknown keys ignored) and translates it, purely, into a `Policy`. The helpers
here read one field each, always naming the provider's own path in an `InvalidPolicy`:

- `money` / `percent` / `count`: strings, ints or `Decimal` (JSON read with
  ``parse_float=Decimal``); a `float` is refused, never converted.
- `moment`: ISO 8601 (``2021-05-12T18:00:00+07:00``, or with a space, or without an offset);
  a time without an offset is read in an explicit zone when one is given, and otherwise left
  as a wall-clock time for the engine to read in the booking's zone.
- `step_ends`: for formats whose entries only say when they *start* (or only when they
  *end*), the other edge of each entry: the next later edge, whatever the input order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from decimal import Decimal
from itertools import pairwise
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from penalty._model import convert_validation_error
from penalty.errors import InvalidPolicy
from penalty.instants import Fold, from_nanos, localize, parse_iso, wall_time, zone
from penalty.limits import MAX_WINDOWS, check_count
from penalty.money import validate_currency
from penalty.policy import Window, check_components, read_component

__all__ = [
    "Raw",
    "count",
    "currency",
    "entries",
    "find_key",
    "moment",
    "money",
    "namer",
    "percent",
    "resolve_zone",
    "step_ends",
    "step_starts",
    "window",
    "zoned_moment",
]

R = TypeVar("R", bound=BaseModel)

_FLOAT_HINT = "read the JSON with json.loads(text, parse_float=Decimal) so that amounts stay exact"


class Raw(BaseModel):
    """A provider object exactly as sent: frozen, unknown keys ignored, aliases for names."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True, defer_build=True)


def find_key(obj: dict[str, Any], name: str) -> str | None:
    """The key of ``obj`` equal to ``name`` ignoring case (Expedia XAP's casing varies)."""
    if name in obj:
        return name
    folded = name.casefold()
    return next((key for key in obj if isinstance(key, str) and key.casefold() == folded), None)


def entries(
    model: type[R],
    items: object,
    prefix: str,
    *,
    limit: int = MAX_WINDOWS,
    what: str = "windows",
    code: str = "too_many_windows",
) -> list[R]:
    """Validate a provider list item by item; the first bad item raises naming its path.

    A list of more than ``limit`` items (`penalty.limits.MAX_WINDOWS` by default) is refused
    before any item is read.
    """
    if not isinstance(items, list | tuple):
        raise InvalidPolicy("must be a list", path=prefix, value=items, code="wrong_type")
    check_count(len(items), limit, what=what, path=prefix, error=InvalidPolicy, code=code)
    out: list[R] = []
    for index, item in enumerate(items):
        path = f"{prefix}[{index}]"
        if not isinstance(item, dict):
            raise InvalidPolicy("must be an object", path=path, value=item, code="wrong_type")
        try:
            out.append(model.model_validate(item))
        except ValidationError as exc:
            raise convert_validation_error(exc, InvalidPolicy, path) from exc
    return out


def _refuse_float(raw: object, path: str, what: str) -> None:
    if isinstance(raw, float):
        raise InvalidPolicy(
            f"{what} is a JSON float, which cannot be exact; {_FLOAT_HINT}",
            path=path,
            value=raw,
            code="float_not_allowed",
        )


def money(raw: object, path: str) -> Decimal:
    """A non-negative amount: ``"10.00"``, ``10``, ``Decimal("10.00")``; floats refused.

    Example:
        >>> money("712.39", "cancelPolicyInfos[0].amount")
        Decimal('712.39')
    """
    return _component(raw, "amount", path)


def percent(raw: object, path: str) -> Decimal:
    """A percentage of the booking total, 0-100: ``"30%"``, ``"30"``, ``30``."""
    return _component(raw, "percent", path)


def count(raw: object, path: str) -> Decimal:
    """A number of nights: ``"1"``, ``2``, ``"1.5"``."""
    return _component(raw, "nights", path)


def _component(raw: object, field: str, path: str) -> Decimal:
    _refuse_float(raw, path, field)
    value = read_component(raw, field, path)
    if value is None:
        raise InvalidPolicy(f"{field} is missing", path=path, code="missing")
    return value


def currency(raw: object, path: str) -> str:
    """An ISO 4217 code CLDR knows (``"USD"``)."""
    return validate_currency(raw, path=path, error=InvalidPolicy)


def resolve_zone(name: object, path: str) -> tzinfo:
    """The IANA zone ``name`` (``"UTC"``, ``"GMT"``, ``"Europe/Paris"``) or `InvalidPolicy`."""
    return zone(name, path=path, error=InvalidPolicy)


def zoned_moment(
    text: str | None,
    zone_name: str | None,
    path: str,
    field: str,
    *,
    default: tzinfo | None,
    fold: Fold,
) -> datetime:
    """An entry's required time ``{path}.{field}``, read in its own ``timezone`` if it names one.

    LiteAPI's ``cancelTime`` and Innstant's ``endTime`` sit beside an optional per-entry
    ``timezone``; without one, ``default`` (the caller's ``zone``) reads a time with no offset.
    """
    if text is None:
        raise InvalidPolicy(f"{field} is missing", path=f"{path}.{field}", code="missing")
    tz = default if zone_name is None else resolve_zone(zone_name, f"{path}.timezone")
    return moment(text, f"{path}.{field}", tz=tz, fold=fold)


def moment(raw: object, path: str, *, tz: tzinfo | None = None, fold: Fold = "raise") -> datetime:
    """An ISO 8601 date and time; without an offset, read in ``tz`` when one is given.

    Without an offset and without ``tz`` the result is naive: a wall-clock time that the
    engine reads in the booking's timezone when compiling (the hotel's local time).

    Example:
        >>> moment("2024-11-11 08:00:00", "cancelTime").isoformat()
        '2024-11-11T08:00:00'
        >>> moment("2018-02-12T11:59:00.000-08:00", "start").isoformat()
        '2018-02-12T11:59:00-08:00'
    """
    nanos, offset = parse_iso(raw, path=path, error=InvalidPolicy)
    if offset is not None:
        return from_nanos(nanos, offset)
    if tz is not None:
        return from_nanos(
            localize(nanos, tz, fold=fold, path=path, error=InvalidPolicy, value=raw), tz
        )
    return wall_time(nanos)


def step_ends(edges: Sequence[datetime], path: Callable[[int], str]) -> list[datetime | None]:
    """For each edge, the earliest strictly later edge (``None`` for the last ones).

    All edges must carry an offset, or none (wall-clock times compare as such); a mix cannot
    be ordered without a zone and is refused, naming the first edge of the minority kind.
    """
    aware = [edge.utcoffset() is not None for edge in edges]
    if any(aware) and not all(aware):
        odd = aware.index(False) if aware.count(True) >= aware.count(False) else aware.index(True)
        raise InvalidPolicy(
            "some times have an offset and some do not: they cannot be ordered",
            path=path(odd),
            value=edges[odd].isoformat(),
            code="mixed_offsets",
        )
    ordered = sorted(set(edges))
    following: dict[datetime, datetime | None] = dict(pairwise(ordered))
    if ordered:
        following[ordered[-1]] = None
    return [following[edge] for edge in edges]


def step_starts(edges: Sequence[datetime], path: Callable[[int], str]) -> list[datetime | None]:
    """For each edge, the latest strictly earlier edge (``None`` for the first ones)."""
    step_ends(edges, path)  # the same ordering checks
    ordered = sorted(set(edges))
    preceding: dict[datetime, datetime | None] = {b: a for a, b in pairwise(ordered)}
    if ordered:
        preceding[ordered[0]] = None
    return [preceding[edge] for edge in edges]


def namer(path: str, fields: Sequence[tuple[str, str]]) -> Callable[[str], str]:
    """``field -> "{path}.{providerField}"`` under the provider's names for the domain's."""
    names = dict(fields)
    return lambda field: f"{path}.{names.get(field, field)}"


def window(values: dict[str, Any], path: Callable[[str], str]) -> Window:
    """A `Window` from already-parsed values, after the cross-field checks (errors via ``path``).

    ``values`` may name any of Window's fields; the rest take their defaults.
    """
    full: dict[str, Any] = {
        "start": values.get("start"),
        "end": values.get("end"),
        "percent": values.get("percent"),
        "amount": values.get("amount"),
        "nights": values.get("nights"),
        "currency": values.get("currency"),
        "kind": values.get("kind"),
        "description": values.get("description", ""),
    }
    check_components(full["kind"], full["percent"], full["amount"], full["nights"], path)
    return Window.model_validate(full)
