"""Gotadi's penalty windows as Gotadi sends them, read into a `Policy`.

Seed 001 and PROTOCOLS A.5: every window field is a string, ``""`` means absent; dates are ISO
8601 with an offset (``2021-05-12T18:00:00.000+07:00``) in the penalty examples and
``dd/MM/yyyy HH:mm`` with no zone (``26/08/2021 11:00``) in the live API example. A zoneless
date is a wall-clock time: the engine reads it in the booking's timezone, or else in
``Asia/Ho_Chi_Minh`` (Gotadi's own zone), and says so in a warning.

`from_gotadi` takes the ``cancelPenalties`` list, the ``result`` object or a whole
check-cancel-penalty response, as JSON bytes or text or as parsed JSON. The provider's status
comes first (SEMANTICS rule 18): a response with ``success: false`` or ``errors`` raises
`ProviderRejected` with Gotadi's messages; ``result.status`` ``NOT_ALLOW_CANCELLATION`` or
``UNKNOWN`` raises `NotCancellable`. Neither ever yields a fee.

The pipeline: one pydantic-core call validates the payload's shape straight from the bytes; each
window's fields are then read once (dates through the one ISO 8601 grammar, numbers through the
one decimal grammar) into the policy's window columns. A payload that does not validate is read
again step by step, so that the first bad field is named with its path.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from decimal import Decimal
from functools import partial
from typing import Annotated, Any, NotRequired

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator
from typing_extensions import TypedDict  # pydantic needs it (not typing's) before 3.12

from penalty._model import construct, convert_validation_error
from penalty.errors import InvalidPolicy, NotCancellable, PenaltyError, ProviderRejected
from penalty.instants import ISO_PATTERN, Fold, read_checked_iso, read_iso, wall_nanos
from penalty.limits import MAX_WINDOWS, check_count, check_text, read_json
from penalty.money import (
    KNOWN_CURRENCIES,
    NUMBER_PATTERN,
    PERCENT_PATTERN,
    checked_decimal,
    validate_currency,
)
from penalty.policy import (
    COMPONENTS,
    Policy,
    Row,
    Windows,
    WindowSource,
    check_components,
    read_component,
)
from penalty.rules import Rules, check_order, check_percent

__all__ = [
    "GOTADI_ZONE",
    "RULES",
    "CheckCancelPenaltyResponse",
    "CheckCancelPenaltyResult",
    "GotadiCancelPenalty",
    "from_gotadi",
    "read_penalties",
]

#: Gotadi's own zone (UTC+7), assumed for dates written without an offset (UNCONFIRMED, A.5).
GOTADI_ZONE = "Asia/Ho_Chi_Minh"
#: Gotadi's rules are the engine's defaults: ``[start, end)``, gaps carry, no-show after.
RULES = Rules()
#: ``result.status`` values that forbid quoting a fee (SEMANTICS rule 18).
_NOT_CANCELLABLE = {
    "NOT_ALLOW_CANCELLATION": "Gotadi does not allow cancelling this booking",
    "UNKNOWN": "Gotadi does not know yet whether this booking can be cancelled (re-check)",
}
#: Gotadi's field names for the domain's, used to name fields in errors.
_SOURCE_FIELDS = (
    ("start", "startDate"),
    ("end", "endDate"),
    ("kind", "type"),
    ("percent", "percent"),
    ("amount", "amount"),
    ("nights", "nights"),
    ("currency", "currency"),
)
#: The domain's field names as Gotadi's (errors inside an entry name Gotadi's field).
_NAMES = dict(_SOURCE_FIELDS)


class _Raw(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True, defer_build=True)


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
            raise ValueError(msg)  # noqa: TRY004 - pydantic reports a ValueError with its path
        return raw


class CheckCancelPenaltyResult(_Raw):
    """``result`` of ``POST /api/v3/hotel/check-cancel-penalty``."""

    status: str | None = None
    cancel_penalties: tuple[GotadiCancelPenalty, ...] = Field(
        default=(), alias="cancelPenalties", max_length=MAX_WINDOWS, fail_fast=True
    )
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
            raw = Decimal(repr(raw))
        if isinstance(raw, Decimal) and not raw and raw.is_signed():
            return raw.copy_abs()  # -0.0 is zero, never shown as "-0"
        return raw


class CheckCancelPenaltyResponse(_Raw):
    """The whole check-cancel-penalty response (PROTOCOLS A.5)."""

    result: CheckCancelPenaltyResult | None = None
    duration: int | str | None = None
    success: bool | int | None = None
    text_message: str | None = Field(default=None, alias="textMessage")
    errors: list[Any] | None = None
    infos: list[Any] | None = None


# -- the shape, validated in one pydantic-core call ------------------------------------------

#: Gotadi's two spellings of a date: the one ISO 8601 grammar, or ``dd/MM/yyyy HH:mm[:ss]``.
LOCAL_PATTERN = r"[0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{2}:[0-9]{2}(?::[0-9]{2})?"
_LOCAL = re.compile(LOCAL_PATTERN)
_Date = Annotated[str, Field(strict=True, pattern=f"^(?:{ISO_PATTERN}|{LOCAL_PATTERN})$")]
_Text = Annotated[str, Field(strict=True)]
#: ``""`` or ``null`` is absent; anything else must match the number grammar.
_Percent = Annotated[str | None, Field(strict=True, pattern=f"^(?:{PERCENT_PATTERN})?$")]
_Number = Annotated[str | None, Field(strict=True, pattern=f"^(?:{NUMBER_PATTERN})?$")]
_Currency = Annotated[str | None, Field(strict=True, pattern="^(?:[A-Z]{3})?$")]
_Absent = Annotated[str | None, Field(strict=True)]


class _Entry(TypedDict):
    """One ``cancelPenalties`` entry, checked in pydantic-core while the bytes are read.

    The shape of `GotadiCancelPenalty`, and each field's grammar (dates, numbers, currency
    codes) as the patterns that `penalty.instants` and `penalty.money` read with: an entry
    that passes is read without checking its text again (`_translate` with ``checked``).
    """

    startDate: _Date
    endDate: _Date
    type: _Text
    currency: NotRequired[_Currency]
    percent: NotRequired[_Percent]
    nights: NotRequired[_Number]
    amount: NotRequired[_Number]
    description: NotRequired[_Absent]


#: The windows: at most `MAX_WINDOWS`, and the first bad entry stops the validation (pydantic
#: would otherwise keep an error for every bad entry of a long list before reporting one).
_Entries = Annotated[list[_Entry], Field(max_length=MAX_WINDOWS, fail_fast=True)]


class _Result(TypedDict):
    status: NotRequired[Any]
    cancelPenalties: NotRequired[_Entries | None]


class _Envelope(TypedDict):
    """A whole response, or its ``result`` object: the keys that decide what it says."""

    result: NotRequired[_Result | None]
    success: NotRequired[Any]
    errors: NotRequired[Any]
    textMessage: NotRequired[Any]
    status: NotRequired[Any]
    cancelPenalties: NotRequired[_Entries | None]


_PAYLOAD: TypeAdapter[list[_Entry] | _Envelope] = TypeAdapter(_Entries | _Envelope)
#: Text up to this long is handed to pydantic-core as it is: it cannot hold more values than
#: that (`penalty.limits.check_text` counts them in longer text first).
_SMALL_TEXT = 65_536


def from_gotadi(payload: object, *, fold: Fold = "raise") -> Policy:
    """A `Policy` from Gotadi's ``cancelPenalties``, a ``result`` or a whole response.

    ``payload`` is JSON (``bytes`` or ``str``) or parsed JSON (a list or a dict).

    Raises:
        InvalidPolicy: naming the field (``cancelPenalties[1].percent``) and its value.
        ProviderRejected: a response with ``success: false`` or ``errors``.
        NotCancellable: ``result.status`` is ``NOT_ALLOW_CANCELLATION`` or ``UNKNOWN``.

    Example:
        >>> from_gotadi(b'{"result": {"status": "NOT_ALLOW_CANCELLATION", "cancelPenalties": []}}')
        Traceback (most recent call last):
        ...
        penalty.errors.NotCancellable: result.status: gotadi: ... (got 'NOT_ALLOW_CANCELLATION')
    """
    _check_fold(fold)
    try:
        if isinstance(payload, bytes | bytearray | str):
            if len(payload) > _SMALL_TEXT:
                check_text(payload, what="the policy", path=None, error=InvalidPolicy)
            shaped = _PAYLOAD.validate_json(payload)
        else:
            shaped = _PAYLOAD.validate_python(payload)
    except ValidationError:
        return _step_by_step(_parsed(payload), fold)
    if isinstance(shaped, list):
        return _policy(shaped, "cancelPenalties", fold)
    penalties, prefix = _unwrap(shaped)
    return _policy([] if penalties is None else penalties, prefix, fold)  # type: ignore[arg-type]


def read_penalties(payload: object, *, fold: Fold = "raise") -> Policy:
    """The windows of a payload, whatever its status says.

    For a client that reads the status itself, such as `penalty.providers.gotadi`;
    `from_gotadi` is what quotes should use.
    """
    _check_fold(fold)
    penalties, prefix = _find_penalties(payload)
    return _step_by_step_windows(penalties, prefix, fold)


def _check_fold(fold: object) -> None:
    if fold not in ("raise", "earlier", "later"):
        raise InvalidPolicy(
            "fold must be raise, earlier or later", path="fold", value=fold, code="invalid_fold"
        )


def _parsed(payload: object) -> object:
    if not isinstance(payload, bytes | bytearray | str):
        return payload
    try:
        return read_json(payload, what="the policy", path=None, error=InvalidPolicy)
    except InvalidPolicy as exc:
        if exc.code != "not_json":  # too large, too deep, not UTF-8: said as such
            raise
        raise InvalidPolicy(
            "a Gotadi policy is a cancelPenalties list or a check-cancel-penalty response "
            "(or their JSON)",
            value=payload[:80],
            code="not_a_policy",
        ) from exc


def _unwrap(envelope: Any) -> tuple[object, str]:
    """The ``cancelPenalties`` of a response or result, after its status says it may be read."""
    if "result" in envelope:
        _check_response(envelope)
        result = envelope["result"]
        if not isinstance(result, dict):
            raise InvalidPolicy(
                "result must be an object", path="result", value=result, code="wrong_type"
            )
        _check_status(result.get("status"), "result.status")
        envelope, prefix = result, "result.cancelPenalties"
    else:
        _check_status(envelope.get("status"), "status")
        prefix = "cancelPenalties"
    if "cancelPenalties" not in envelope:
        raise InvalidPolicy("no cancelPenalties in the response", path=prefix, code="missing")
    return envelope["cancelPenalties"], prefix


def _check_response(response: dict[str, Any]) -> None:
    """Rule 18: ``success: false`` or any ``errors`` is Gotadi refusing the call."""
    errors = response.get("errors")
    success = response.get("success", True)
    if errors or success is False or success == 0:
        messages = [str(response.get("textMessage") or "").strip()]
        code = "unknown"
        for item in errors if isinstance(errors, list) else []:
            if isinstance(item, dict):
                code = str(item.get("code") or item.get("errorCode") or code)
                messages.append(str(item.get("message") or item.get("msg") or "").strip())
            else:
                messages.append(str(item).strip())
        said = "; ".join(message[:200] for message in messages if message)
        raise ProviderRejected(
            "the check-cancel-penalty call failed" + (f": {said}" if said else ""),
            provider="gotadi",
            provider_code=code,
            code="check_failed",
        )


def _check_status(status: object, path: str) -> None:
    """Rule 18: a status that forbids cancelling, or that is not known yet, yields no fee."""
    if isinstance(status, str) and status in _NOT_CANCELLABLE:
        raise NotCancellable(
            _NOT_CANCELLABLE[status], provider="gotadi", provider_code=status, path=path
        )


def _find_penalties(payload: object) -> tuple[object, str]:
    """The ``cancelPenalties`` list inside parsed ``payload``, and its path (no status check)."""
    payload = _parsed(payload)
    if isinstance(payload, list | tuple):
        return payload, "cancelPenalties"
    if not isinstance(payload, dict):
        raise InvalidPolicy(
            "a Gotadi policy is a cancelPenalties list or a check-cancel-penalty response",
            value=payload,
            code="not_a_policy",
        )
    prefix = "cancelPenalties"
    if "result" in payload:
        payload = payload["result"]
        prefix = "result.cancelPenalties"
        if not isinstance(payload, dict):
            raise InvalidPolicy(
                "result must be an object", path="result", value=payload, code="wrong_type"
            )
    if "cancelPenalties" not in payload:
        raise InvalidPolicy("no cancelPenalties in the response", path=prefix, code="missing")
    penalties = payload["cancelPenalties"]
    return ([] if penalties is None else penalties), prefix


def _step_by_step(payload: object, fold: Fold) -> Policy:
    """The payload that did not validate in one call, read field by field to name what is bad."""
    if isinstance(payload, dict):
        if "result" in payload:
            _check_response(payload)
            if isinstance(payload["result"], dict):
                _check_status(payload["result"].get("status"), "result.status")
        else:
            _check_status(payload.get("status"), "status")
    penalties, prefix = _find_penalties(payload)
    return _step_by_step_windows(penalties, prefix, fold)


def _step_by_step_windows(penalties: object, prefix: str, fold: Fold) -> Policy:
    if not isinstance(penalties, list | tuple):
        raise InvalidPolicy(
            "cancelPenalties must be a list", path=prefix, value=penalties, code="wrong_type"
        )
    check_count(
        len(penalties),
        MAX_WINDOWS,
        what="windows",
        path=prefix,
        error=InvalidPolicy,
        code="too_many_windows",
    )
    entries = []
    for index, entry in enumerate(penalties):
        path = f"{prefix}[{index}]"
        try:
            raw = GotadiCancelPenalty.model_validate(entry)
        except ValidationError as exc:
            raise convert_validation_error(exc, InvalidPolicy, path) from exc
        entries.append(raw.model_dump(by_alias=True))
    return _policy(entries, prefix, fold, checked=False)


def _policy(entries: list[Any], prefix: str, fold: Fold, *, checked: bool = True) -> Policy:
    """Entries (dicts of strings or ``None``) into a policy's window columns.

    ``checked``: pydantic-core has matched every field against its grammar already, so the
    text is converted without being matched again; otherwise each field is matched here, and
    the first that fails is named.
    """
    rows = []
    # Windows share their edges and their numbers: each text is read once, and its value is
    # one object however many windows hold it (a long policy keeps a few hundred bytes a window).
    times: dict[str, tuple[int, tzinfo | None]] = {}
    numbers: dict[str, Decimal] = {}
    for index, entry in enumerate(entries):
        try:
            rows.append(_translate(entry, times, numbers, checked=checked))
        except PenaltyError as exc:  # named within the entry: put it under the entry's path
            raise exc.under(f"{prefix}[{index}]") from exc.__cause__
    return construct(
        Policy,
        {
            "windows": Windows.from_rows(rows),
            "rules": RULES,
            "local_zone": GOTADI_ZONE,
            "fold": fold,
            "source": _source(prefix),
            "surcharge": None,
            "minor_units": False,
        },
    )


def _translate(
    entry: dict[str, Any],
    times: dict[str, tuple[int, tzinfo | None]],
    numbers: dict[str, Decimal],
    *,
    checked: bool,
) -> Row:
    """One entry as a row of window columns; errors name the field within the entry."""
    kind = entry["type"]
    if kind not in COMPONENTS:
        raise InvalidPolicy(
            "type must be NIGHTS, AMOUNT or PERCENT", path="type", value=kind, code="unknown_type"
        )
    start, start_zone = times.get(entry["startDate"]) or _time(entry, "startDate", times, checked)
    end, end_zone = times.get(entry["endDate"]) or _time(entry, "endDate", times, checked)
    if (start_zone is None) == (end_zone is None):  # comparable before compiling
        check_order(start, end, path="endDate", value=partial(_field, entry, "endDate"))
    percent, amount, nights = entry.get("percent"), entry.get("amount"), entry.get("nights")
    if checked:  # "" or None: absent
        percent = (
            check_percent(_number(percent, numbers), path="percent", raw=percent)
            if percent
            else None
        )
        amount = _number(amount, numbers) if amount else None
        nights = _number(nights, numbers) if nights else None
    else:
        percent = read_component(percent, "percent", "percent") if percent else None
        amount = read_component(amount, "amount", "amount") if amount else None
        nights = read_component(nights, "nights", "nights") if nights else None
    check_components(kind, percent, amount, nights, _NAMES.get)
    currency = entry.get("currency") or None
    if currency is not None and (currency not in KNOWN_CURRENCIES or not checked):
        validate_currency(currency, path="currency", error=InvalidPolicy)
    return (
        start,
        start_zone,
        end,
        end_zone,
        percent,
        amount,
        nights,
        currency,
        kind,
        entry.get("description") or "",
    )


def _number(text: str, numbers: dict[str, Decimal]) -> Decimal:
    """`checked_decimal` of ``text``, read once per policy (``numbers`` remembers it)."""
    value = numbers.get(text)
    if value is None:
        value = numbers[text] = checked_decimal(text)
    return value


def _time(
    entry: dict[str, Any],
    field: str,
    times: dict[str, tuple[int, tzinfo | None]],
    checked: bool,  # noqa: FBT001 - private, passed on from `_translate`
) -> tuple[int, tzinfo | None]:
    """``2021-05-12T18:00:00.000+07:00`` (the one ISO grammar) or ``26/08/2021 11:00`` (local)."""
    text = entry[field]
    read: tuple[int, tzinfo | None] | None
    if text[2:3] == "/":
        read = _local(text)
    else:
        read = read_checked_iso(text) if checked else read_iso(text)
    if read is None:
        raise InvalidPolicy(
            "date must be ISO 8601 (2021-05-12T18:00:00.000+07:00) or dd/MM/yyyy HH:mm",
            path=field,
            value=text,
            code="invalid_datetime",
        )
    times[text] = read
    return read


def _local(text: str) -> tuple[int, None] | None:
    """Gotadi's ``dd/MM/yyyy HH:mm[:ss]``, a wall-clock time (no zone)."""
    if _LOCAL.fullmatch(text) is None:
        return None
    day, month, year, hour, minute, second = (
        text[0:2],
        text[3:5],
        text[6:10],
        text[11:13],
        text[14:16],
        text[17:19] or "0",
    )
    try:
        wall = datetime(  # noqa: DTZ001 - a wall-clock time, zoned when compiled
            int(year), int(month), int(day), int(hour), int(minute), int(second)
        )
    except ValueError:
        return None
    return wall_nanos(wall), None


def _field(entry: dict[str, Any], field: str) -> object:
    return entry[field]


_SOURCES: dict[str, WindowSource] = {}


def _source(prefix: str) -> WindowSource:
    source = _SOURCES.get(prefix)
    if source is None:
        source = _SOURCES[prefix] = construct(
            WindowSource,
            {"prefix": prefix, "fields": _SOURCE_FIELDS, "surcharge": "surcharge", "paths": ()},
        )
    return source


def _from_gotadi(cls: type[Policy], payload: object, *, fold: Fold = "raise") -> Policy:
    """`from_gotadi` (kept as ``Policy.from_gotadi`` for the code that calls it so)."""
    del cls
    return from_gotadi(payload, fold=fold)


# `Policy` is defined below the formats and never imports them: its shortcut is installed here.
Policy.from_gotadi = classmethod(_from_gotadi)  # type: ignore[assignment, method-assign]
