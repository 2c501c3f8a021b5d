"""Every provider format the engine reads, by name: ``parse(payload, format=...)`` → `Policy`.

========================  =====================================================================
format                    payload
========================  =====================================================================
``gotadi``                ``cancelPenalties`` list, ``result`` or a check-cancel-penalty response
``expedia-rapid``         ``cancel_penalties`` list or a rate (with ``nonrefundable_date_ranges``)
``expedia-xap``           ``CancellationPenaltyRules`` list or a ``CancellationPolicy`` (any case)
``duffel``                ``cancellation_timeline`` list or a rate
``hotelbeds``             ``cancellationPolicies`` list or a rate
``ratehawk``              ``policies``, ``cancellation_penalties`` or a payment type (``zone``)
``liteapi``               ``cancelPolicyInfos``, ``cancellationPolicies`` or a rate
``innstant``              ``frames`` or ``{"cancellation": {"frames": [...]}}``
``ucp``                   a UCP lodging ``schedule`` (``anchor``, ``tiers``, ``after_last_tier``)
                          or a cancellation policy item holding one
``derbysoft``             a DerbySoft cancel policy code (``AD20_7D50_3D1N_1D50P_6PM0D80P_100P``),
                          ``{"code": ...}`` or a room rate's ``cancelPolicy``
``travelgatex``           TravelgateX ``cancelPenalties`` or a ``cancelPolicy`` (``hoursBefore``)
========================  =====================================================================

Each translator is a module of this package, imported when its format is first used (Gotadi's
at once: it is the default). A payload is parsed JSON, or JSON ``bytes``/``str`` (read with
exact decimals). `detect` names the format of a payload whose shape says it
unambiguously; ``format="auto"`` uses it. Text and lists are held to `penalty.limits` (size,
values, depth; `MAX_WINDOWS` windows) before their items are read.

Example:
    >>> from penalty import formats
    >>> payload = {"cancellation_timeline": [
    ...     {"refund_amount": "799.00", "currency": "GBP", "before": "2023-05-23T13:00:00Z"}]}
    >>> formats.detect(payload)
    'duffel'
    >>> formats.parse(payload, format="auto").rules.basis.value
    'refund'
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any, Final, NoReturn

from penalty.errors import InvalidPolicy
from penalty.formats.gotadi import from_gotadi
from penalty.instants import Fold
from penalty.limits import MAX_WINDOWS, check_count, read_json
from penalty.policy import Policy

__all__ = ["FORMATS", "ZONED", "detect", "from_gotadi", "parse", "translator"]

#: Format name → (module, function) of its translator.
_TRANSLATORS: Final = {
    "gotadi": ("penalty.formats.gotadi", "from_gotadi"),
    "expedia-rapid": ("penalty.formats.expedia_rapid", "policy_from_expedia_rapid"),
    "expedia-xap": ("penalty.formats.expedia_xap", "policy_from_expedia_xap"),
    "duffel": ("penalty.formats.duffel", "policy_from_duffel"),
    "hotelbeds": ("penalty.formats.hotelbeds", "policy_from_hotelbeds"),
    "ratehawk": ("penalty.formats.ratehawk", "policy_from_ratehawk"),
    "liteapi": ("penalty.formats.liteapi", "policy_from_liteapi"),
    "innstant": ("penalty.formats.innstant", "policy_from_innstant"),
    "ucp": ("penalty.formats.ucp", "policy_from_ucp"),
    "derbysoft": ("penalty.formats.derbysoft", "policy_from_derbysoft"),
    "travelgatex": ("penalty.formats.travelgatex", "policy_from_travelgatex"),
}
#: Every format name, in the order the docs list them.
FORMATS: Final = tuple(_TRANSLATORS)
#: Formats whose translator takes a ``zone`` (required for ``ratehawk``; for ``derbysoft`` and
#: ``travelgatex``, the hotel's zone when the booking names none).
ZONED: Final = frozenset({"ratehawk", "liteapi", "innstant", "derbysoft", "travelgatex"})

#: Keys whose presence in an object names its format (``None``: look inside the list).
_OBJECT_KEYS: Final = (
    ("cancel_penalties", "expedia-rapid"),
    ("nonrefundable_date_ranges", "expedia-rapid"),
    ("cancellationpenaltyrules", "expedia-xap"),
    ("cancellationpolicy", "expedia-xap"),
    ("cancellation_timeline", "duffel"),
    ("cancelPolicyInfos", "liteapi"),
    ("frames", "innstant"),
    ("after_last_tier", "ucp"),
)
#: Keys of a list's entries that name its format.
_ENTRY_KEYS: Final = (
    ("startDate", "gotadi"),
    ("penaltystartdatetime", "expedia-xap"),
    ("penaltyenddatetime", "expedia-xap"),
    ("penaltynightcount", "expedia-xap"),
    ("refund_amount", "duffel"),
    ("before", "duffel"),
    ("from", "hotelbeds"),
    ("start_at", "ratehawk"),
    ("end_at", "ratehawk"),
    ("amount_charge", "ratehawk"),
    ("cancelTime", "liteapi"),
    ("endTime", "innstant"),
    ("hoursBefore", "travelgatex"),
)
_CASELESS: Final = frozenset({"cancellationpenaltyrules", "cancellationpolicy"}) | {
    key for key, fmt in _ENTRY_KEYS if fmt == "expedia-xap"
}


def _has(obj: dict[str, Any], key: str) -> bool:
    if key in _CASELESS:
        return any(isinstance(k, str) and k.casefold() == key for k in obj)
    return key in obj


def _entry_formats(items: list[Any]) -> set[str]:
    found: set[str] = set()
    for item in items:
        if isinstance(item, dict):
            found |= {fmt for key, fmt in _ENTRY_KEYS if _has(item, key)}
            if "start" in item and "end" in item and {"percent", "nights", "amount"} & set(item):
                found.add("expedia-rapid")
    return found


def _object_formats(obj: dict[str, Any]) -> set[str]:
    found = {fmt for key, fmt in _OBJECT_KEYS if _has(obj, key)}
    for key, inner in obj.items():
        if key == "result" and isinstance(inner, dict) and "cancelPenalties" in inner:
            found.add("gotadi")
        elif key == "cancellationPolicies":
            if isinstance(inner, dict) and "cancelPolicyInfos" in inner:
                found.add("liteapi")
            elif isinstance(inner, list):
                found.add("hotelbeds")
        elif key == "cancellation_penalties" and isinstance(inner, dict):
            found.add("ratehawk")
        elif key == "policies" and isinstance(inner, list):
            found |= _entry_formats(inner) & {"ratehawk"}
        elif key == "cancellation" and isinstance(inner, dict) and "frames" in inner:
            found.add("innstant")
        elif key == "data" and isinstance(inner, dict) and "cancellation_timeline" in inner:
            found.add("duffel")
        else:
            found |= _nested_formats(obj, key, inner)
    return found


def _nested_formats(obj: dict[str, Any], key: object, inner: object) -> set[str]:
    """The formats that ``obj[key] = inner`` names, for the keys several formats share.

    ``cancelPenalties`` is Gotadi's (``startDate`` entries) or TravelgateX's (``hoursBefore``
    entries, beside ``refundable``).
    """
    if key == "cancelPenalties":
        if isinstance(inner, list) and inner:
            named = _entry_formats(inner) & {"gotadi", "travelgatex"}
            if named:
                return named
        return {"travelgatex"} if "refundable" in obj else {"gotadi"}
    if key == "schedule" and isinstance(inner, dict) and "tiers" in inner:
        return {"ucp"}
    if key == "cancelPolicy" and isinstance(inner, dict):
        return _object_formats(inner) & {"travelgatex", "derbysoft"}
    if key == "code" and _is_derbysoft_code(inner, amounts=True):
        return {"derbysoft"}
    return set()


def _is_derbysoft_code(text: object, *, amounts: bool = False) -> bool:
    """Whether ``text`` is a DerbySoft cancel policy code (its grammar, in its module).

    A bare amount (``"100"``) is JSON text as much as a code: it counts as a code only with
    ``amounts``, where the context says so (held under a ``code`` key, ``{"code": "100"}``, or
    read with ``format="derbysoft"``).
    """
    if not isinstance(text, str) or not (amounts or any(char.isalpha() for char in text)):
        return False
    from penalty.formats.derbysoft import CODE  # its grammar lives with its translator

    return CODE.fullmatch(text) is not None


def detect(payload: object) -> str:
    """The format of ``payload``, when its shape names exactly one.

    Raises:
        InvalidPolicy: ``undetectable_format`` when no format or several fit (an empty list
            fits all of them): pass ``format=`` explicitly.

    Example:
        >>> detect([{"cancelTime": "2024-11-11 08:00:00", "amount": 1, "type": "amount"}])
        'liteapi'
    """
    if isinstance(payload, list | tuple):
        check_count(
            len(payload),
            MAX_WINDOWS,
            what="windows",
            path="policy",
            error=InvalidPolicy,
            code="too_many_windows",
        )
        found = _entry_formats(list(payload))
    elif isinstance(payload, dict):
        found = _object_formats(payload)
    elif _is_derbysoft_code(payload):
        found = {"derbysoft"}
    else:
        found = set()
    if len(found) == 1:
        return found.pop()
    which = ", ".join(sorted(found)) if found else "none"
    raise InvalidPolicy(
        f"cannot tell the payload's format (matches: {which}); name it with format=",
        path="format",
        value="auto",
        code="undetectable_format",
    )


def translator(format: str) -> Callable[..., Policy]:  # noqa: A002 - the CLI's word
    """The translator function of ``format`` (imported on first use)."""
    if format not in _TRANSLATORS:
        raise InvalidPolicy(
            f"unknown format; one of: {', '.join(FORMATS)}, auto",
            path="format",
            value=format,
            code="unknown_format",
        )
    module, name = _TRANSLATORS[format]
    function: Callable[..., Policy] = getattr(import_module(module), name)
    return function


def parse(
    payload: object,
    *,
    format: str = "gotadi",  # noqa: A002 - the CLI's word
    zone: str | None = None,
    fold: Fold = "raise",
) -> Policy:
    """A `Policy` from a provider payload in ``format`` (``"auto"``: `detect` it).

    ``zone`` names the IANA zone of times written without an offset where the format needs
    it (``ratehawk``, required; ``liteapi`` and ``innstant`` when an entry names none), or the
    hotel's zone that deadlines relative to arrival are read in when the booking names none
    (``derbysoft``, ``travelgatex``); other formats read such times in the booking's zone and
    refuse a ``zone``. A DerbySoft code may be given as it is written (``"AD0_1D50P_100P"``).

    Raises:
        InvalidPolicy: an unknown or undetectable format, or a malformed payload (naming the
            provider's field).
    """
    if format == "gotadi":
        return from_gotadi(payload, fold=fold) if zone is None else _no_zone("gotadi", zone)
    if isinstance(payload, bytes | bytearray | str) and not _is_derbysoft_code(
        payload, amounts=format == "derbysoft"
    ):
        text = payload  # held to `penalty.limits` while read
        try:
            payload = read_json(text, what="the policy", path="policy", error=InvalidPolicy)
        except InvalidPolicy as exc:
            not_json = exc.code == "not_json"
            if not_json and format == "derbysoft" and isinstance(text, str):  # a code, not JSON
                return translator(format)(text, zone=zone, fold=fold)
            raise
    name = detect(payload) if format == "auto" else format
    function = translator(name)
    if name in ZONED:
        return function(payload, zone=zone, fold=fold)
    if zone is not None:
        _no_zone(name, zone)
    return function(payload, fold=fold)


def _no_zone(name: str, zone: str) -> NoReturn:
    raise InvalidPolicy(
        f"the {name} format reads times without an offset in the booking's zone; it takes no zone",
        path="zone",
        value=zone,
        code="zone_not_used",
    )
