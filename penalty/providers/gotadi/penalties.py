"""Gotadi's penalty windows as Gotadi sends them, and their translation into a `Policy`.

Seed 001 and PROTOCOLS A.5: every window field is a string, ``""`` means absent; dates are ISO
8601 with an offset (``2021-05-12T18:00:00.000+07:00``) in the penalty examples and
``dd/MM/yyyy HH:mm`` with no zone (``26/08/2021 11:00``) in the live API example. A zoneless
date is a wall-clock time: the engine reads it in the booking's timezone, or else in
``Asia/Ho_Chi_Minh`` (Gotadi's own zone), and says so in a warning.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from functools import cache, partial
from typing import Annotated, Any, NotRequired

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    with_config,
)
from typing_extensions import TypedDict  # pydantic needs it (not typing's) before 3.12

from penalty._model import construct, constructor, convert_validation_error
from penalty.errors import InvalidPolicy
from penalty.instants import Fold
from penalty.money import _KNOWN, parse_decimal, plain_decimal, validate_currency
from penalty.policy import Policy, Window, WindowSource, check_window

__all__ = [
    "GOTADI_ZONE",
    "CheckCancelPenaltyResponse",
    "CheckCancelPenaltyResult",
    "GotadiCancelPenalty",
    "parse_gotadi_time",
    "policy_from_gotadi",
    "window_from_gotadi",
]

#: Gotadi's own zone (UTC+7), assumed for dates written without an offset (UNCONFIRMED, A.5).
GOTADI_ZONE = "Asia/Ho_Chi_Minh"

_TYPES = frozenset({"NIGHTS", "AMOUNT", "PERCENT"})
#: The component each type requires (SEMANTICS rule 4).
_COMPONENT = {"NIGHTS": "nights", "AMOUNT": "amount", "PERCENT": "percent"}
_HUNDRED = Decimal(100)
#: ASCII digits only: int() would read "٢٦" as 26.
_LOCAL = re.compile(r"(\d{2})/(\d{2})/(\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?", re.ASCII)
_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?", re.ASCII
)
#: Gotadi's field names for the domain's, used to name fields in errors.
_FIELDS = (
    ("start", "startDate"),
    ("end", "endDate"),
    ("kind", "type"),
)
_NAMES = dict(_FIELDS)
_SOURCE_FIELDS = (
    *_FIELDS,
    ("percent", "percent"),
    ("amount", "amount"),
    ("nights", "nights"),
    ("currency", "currency"),
)
_RULES = Policy.model_fields["rules"].default
_fromisoformat = datetime.fromisoformat
_window = constructor(Window)


class _Raw(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class GotadiCancelPenalty(_Raw):
    """One ``cancelPenalties`` entry, exactly as Gotadi sends it (all strings)."""

    start_date: str = Field(alias="startDate", strict=True)
    end_date: str = Field(alias="endDate", strict=True)
    type: str = Field(strict=True)
    currency: str = ""
    percent: str = ""
    nights: str = ""
    amount: str = ""
    description: str = ""

    @field_validator("currency", "percent", "nights", "amount", "description", mode="before")
    @classmethod
    def _absent(cls, raw: object) -> object:
        """``null`` is absent too (Java serializers send it); anything else must be a string."""
        if raw is None:
            return ""
        if not isinstance(raw, str):
            msg = f"must be a string, as Gotadi sends it, not {type(raw).__name__}"
            raise ValueError(msg)
        return raw


_Text = Annotated[str, Field(strict=True)]
_Absent = Annotated[str | None, Field(strict=True)]


@with_config(ConfigDict(extra="ignore"))
class _Entry(TypedDict):
    """`GotadiCancelPenalty` as a plain dict, for the hot path.

    The same checks, in pydantic-core alone (no model instance, no Python validator: ~2.5×
    faster): the dates and the type are strings, the other fields strings or null. It accepts
    no entry that the model refuses; the few the model accepts and it does not (snake_case
    names) go through the model, like every refused entry, so errors read as they always did.
    """

    startDate: _Text
    endDate: _Text
    type: _Text
    currency: NotRequired[_Absent]
    percent: NotRequired[_Absent]
    nights: NotRequired[_Absent]
    amount: NotRequired[_Absent]
    description: NotRequired[_Absent]


class CheckCancelPenaltyResult(_Raw):
    """``result`` of ``POST /api/v3/hotel/check-cancel-penalty``."""

    status: str | None = None
    cancel_penalties: tuple[GotadiCancelPenalty, ...] = Field(default=(), alias="cancelPenalties")
    cancel_penalty_total: Decimal | None = Field(default=None, alias="cancelPenaltyTotal")

    @field_validator("cancel_penalties", mode="before")
    @classmethod
    def _null_list(cls, raw: object) -> object:
        return () if raw is None else raw

    @field_validator("cancel_penalty_total", mode="before")
    @classmethod
    def _total(cls, raw: object) -> object:
        # A JSON number: parsed with parse_float=Decimal it is exact already; from a plain
        # json.loads it is a float whose shortest repr is the literal Gotadi wrote.
        if isinstance(raw, float):
            return Decimal(repr(raw))
        return raw


class CheckCancelPenaltyResponse(_Raw):
    """The whole check-cancel-penalty response (PROTOCOLS A.5)."""

    result: CheckCancelPenaltyResult | None = None
    duration: int | str | None = None
    success: bool | int | None = None
    text_message: str | None = Field(default=None, alias="textMessage")
    errors: list[Any] | None = None
    infos: list[Any] | None = None


def parse_gotadi_time(raw: str, *, path: str) -> datetime:
    """``2021-05-12T18:00:00.000+07:00`` (aware) or ``26/08/2021 11:00`` (naive, local).

    Example:
        >>> parse_gotadi_time("26/08/2021 11:00", path="startDate")
        datetime.datetime(2021, 8, 26, 11, 0)
    """
    try:
        moment = _read_time(raw)
    except ValueError as exc:
        raise InvalidPolicy(
            "not a valid date and time", path=path, value=raw, code="invalid_datetime"
        ) from exc
    if moment is None:
        raise InvalidPolicy(
            "date must be ISO 8601 (2021-05-12T18:00:00.000+07:00) or dd/MM/yyyy HH:mm",
            path=path,
            value=raw,
            code="invalid_datetime",
        )
    return moment


def _read_time(raw: str) -> datetime | None:
    """`parse_gotadi_time` without its errors: ``None`` for a text of neither form."""
    text = raw.strip()
    if text[2:3] == "/":  # only the local form has a slash there; ISO has a year digit
        local = _LOCAL.fullmatch(text)
        if local is not None:
            day, month, year, hour, minute, second = local.groups()
            return datetime(  # noqa: DTZ001 - a wall-clock time, zoned when compiled
                int(year),
                int(month),
                int(day),
                int(hour),
                int(minute),
                int(second or 0),
            )
    elif _ISO.fullmatch(text) is not None:
        return _fromisoformat(text)
    return None


def _number(raw: str, path: str, what: str) -> Decimal | None:
    if raw == "":
        return None
    # A plain string ("1.5", "70%") is read without building the error path, which only a
    # refusal needs; anything else goes through `parse_decimal` as before.
    percent = what == "percent"
    value = plain_decimal(raw, percent=percent)
    if value is None:
        value = parse_decimal(
            raw, path=f"{path}.{what}", error=InvalidPolicy, percent=percent, what=what
        )
    if percent and value > _HUNDRED:
        raise InvalidPolicy(
            "percent must be between 0 and 100",
            path=f"{path}.{what}",
            value=raw,
            code="percent_out_of_range",
        )
    return value


#: Dates already read, text → datetime (successes only). A policy's windows share their edges
#: (one ends where the next starts) and a results page repeats them: each text is parsed once.
#: Cleared when full, so it never holds more than `_TIMES_MAX` entries.
_TIMES: dict[str, datetime] = {}
_TIMES_MAX = 4096


def _time(raw: str, path: str, field: str) -> datetime:
    moment = _TIMES.get(raw)
    if moment is None:
        try:
            moment = _read_time(raw)
        except ValueError:
            moment = None
        if moment is None:  # refused: the error, with its path, as `parse_gotadi_time` says
            moment = parse_gotadi_time(raw, path=f"{path}.{field}")
        if len(_TIMES) >= _TIMES_MAX:
            _TIMES.clear()
        _TIMES[raw] = moment
    return moment


def window_from_gotadi(raw: GotadiCancelPenalty, *, path: str) -> Window:
    """Translate one validated Gotadi window; errors name ``{path}.{gotadiField}``."""
    return _translate(
        raw.start_date,
        raw.end_date,
        raw.type,
        raw.currency,
        raw.percent,
        raw.nights,
        raw.amount,
        raw.description,
        path,
    )


def _translate(  # the eight fields of a Gotadi window, and its path
    start_date: str,
    end_date: str,
    kind: str,
    currency: str,
    percent: str,
    nights: str,
    amount: str,
    description: str,
    path: str,
) -> Window:
    if kind not in _TYPES:
        raise InvalidPolicy(
            "type must be NIGHTS, AMOUNT or PERCENT",
            path=f"{path}.type",
            value=kind,
            code="unknown_type",
        )
    start = _TIMES.get(start_date) or _time(start_date, path, "startDate")
    end = _TIMES.get(end_date) or _time(end_date, path, "endDate")
    # In the order of Window's fields: the dict becomes the model's __dict__ as it is.
    values: dict[str, Any] = {
        "start": start,
        "end": end,
        "percent": None if percent == "" else _number(percent, path, "percent"),
        "amount": None if amount == "" else _number(amount, path, "amount"),
        "nights": None if nights == "" else _number(nights, path, "nights"),
        "currency": None
        if currency == ""
        else currency
        if currency in _KNOWN
        else validate_currency(currency, path=f"{path}.currency", error=InvalidPolicy),
        "kind": kind,
        "description": description,
    }
    # `check_window` says what is wrong; it can only find something in these two cases.
    if values[_COMPONENT[kind]] is None or (
        (start.tzinfo is None) == (end.tzinfo is None) and end < start
    ):
        check_window(values, partial(_gotadi_path, path))
    return _window(values)


def _gotadi_path(path: str, field: str) -> str:
    return f"{path}.{_NAMES.get(field, field)}"


def _penalties(payload: object) -> tuple[object, str]:
    """The ``cancelPenalties`` list inside ``payload`` and its path."""
    if isinstance(payload, list | tuple):
        return payload, "cancelPenalties"
    if not isinstance(payload, dict):
        raise InvalidPolicy(
            "a Gotadi policy is a cancelPenalties list or a check-cancel-penalty response",
            value=payload,
            code="not_a_policy",
        )
    if "result" in payload:
        result = payload["result"]
        if not isinstance(result, dict):
            raise InvalidPolicy(
                "result must be an object", path="result", value=result, code="wrong_type"
            )
        prefix = "result.cancelPenalties"
        payload = result
    else:
        prefix = "cancelPenalties"
    if "cancelPenalties" not in payload:
        raise InvalidPolicy("no cancelPenalties in the response", path=prefix, code="missing")
    penalties = payload["cancelPenalties"]
    return ([] if penalties is None else penalties), prefix


@cache
def _entries() -> TypeAdapter[list[_Entry]]:
    """Validates a whole ``cancelPenalties`` list in one call into pydantic-core."""
    return TypeAdapter(list[_Entry])


@cache
def _source(prefix: str) -> WindowSource:
    return construct(WindowSource, {"prefix": prefix, "fields": _SOURCE_FIELDS})


def policy_from_gotadi(payload: object, *, fold: Fold = "raise") -> Policy:
    """`Policy.from_gotadi`: a list, a ``result`` object or a whole response → `Policy`."""
    if fold not in ("raise", "earlier", "later"):
        raise InvalidPolicy(
            "fold must be raise, earlier or later", path="fold", value=fold, code="invalid_fold"
        )
    penalties, prefix = _penalties(payload)
    if not isinstance(penalties, list | tuple):
        raise InvalidPolicy(
            "cancelPenalties must be a list", path=prefix, value=penalties, code="wrong_type"
        )
    try:
        entries = _entries().validate_python(penalties)
    except ValidationError:
        # Some entry is malformed: go one by one, so that the first bad entry is reported
        # exactly as it always was (pydantic's error, or a translation error before it).
        windows = [_entry(entry, f"{prefix}[{i}]") for i, entry in enumerate(penalties)]
    else:
        windows = [
            _translate(
                entry["startDate"],
                entry["endDate"],
                entry["type"],
                entry.get("currency") or "",
                entry.get("percent") or "",
                entry.get("nights") or "",
                entry.get("amount") or "",
                entry.get("description") or "",
                f"{prefix}[{i}]",
            )
            for i, entry in enumerate(entries)
        ]
    return construct(
        Policy,
        {
            "windows": tuple(windows),
            "rules": _RULES,
            "local_zone": GOTADI_ZONE,
            "fold": fold,
            "source": _source(prefix),
            "surcharge": None,
        },
    )


def _entry(entry: object, path: str) -> Window:
    try:
        raw = GotadiCancelPenalty.model_validate(entry)
    except ValidationError as exc:
        raise convert_validation_error(exc, InvalidPolicy, path) from exc
    return window_from_gotadi(raw, path=path)
