"""The base of the package's pydantic models: frozen, strict about extras, errors of our own.

pydantic's `ValidationError` never escapes: validators raise the package's own errors (pydantic
wraps them; `convert_validation_error` unwraps the original), and pydantic's own failures (a
missing field, a wrong type) become the model's error class with the field path and the
offending value. No public way of building a model skips validation: `model_construct` and
`model_copy(update=...)` validate like `model_validate`. The engine builds models it has already
validated with `construct`, privately.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Self, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from penalty.errors import InvalidInput, PenaltyError
from penalty.limits import check_text

__all__ = ["FrozenModel", "construct", "convert_validation_error", "format_loc"]

M = TypeVar("M", bound=BaseModel)
_setattr = object.__setattr__
_new = object.__new__
# BaseModel's slots, set through their descriptors.
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
#: Each model's field names: the fields-set that every instance `construct` builds shares (the
#: models are frozen, so pydantic never changes it in place).
_ALL_FIELDS: dict[type[BaseModel], set[str]] = {}


def construct(cls: type[M], values: dict[str, Any]) -> M:
    """An instance of ``cls`` from values already validated, naming every field in order.

    What ``model_construct`` would build, without its generic loop over fields and defaults.
    Private to the package: only code that has just validated ``values`` calls it.
    """
    instance = _new(cls)
    _setattr(instance, "__dict__", values)
    fields_set = _ALL_FIELDS.get(cls)
    if fields_set is None:
        fields_set = _ALL_FIELDS[cls] = set(cls.__pydantic_fields__)
    _set_fields_set(instance, fields_set)
    _set_extra(instance, None)
    _set_private(instance, None)
    return instance


def format_loc(loc: tuple[int | str, ...], prefix: str | None = None) -> str | None:
    """``("nightly_rates", 1, "amount")`` → ``"nightly_rates[1].amount"``."""
    text = prefix or ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or None


def convert_validation_error(
    exc: ValidationError, error: type[InvalidInput], prefix: str | None = None
) -> PenaltyError:
    """The first failure in ``exc`` as a package error (a copy of the original one, if ours)."""
    first = exc.errors(include_url=False)[0]
    original = (first.get("ctx") or {}).get("error")
    if isinstance(original, PenaltyError):
        # A copy: the very error ``exc`` holds (in its ``ctx``, inside pydantic-core's Rust
        # object, which the garbage collector cannot see through) raised ``from exc`` would be
        # a cycle never freed, leaking every refused input's error, traceback and frames.
        return original.under(prefix)
    message = first["msg"].removeprefix("Value error, ")
    path = format_loc(first["loc"], prefix)
    if first["type"] == "missing":
        return error(message, path=path, code="missing")
    return error(message, path=path, value=first.get("input"), code=first["type"])


class FrozenModel(BaseModel):
    """Immutable, rejects unknown fields, raises ``_error`` (a `penalty.errors.InvalidInput`)."""

    # Schemas are built on first use, not at import: `penalty quote` starts faster, and the hot
    # paths build models with `construct` (they never validate through pydantic).
    model_config = ConfigDict(
        frozen=True, extra="forbid", arbitrary_types_allowed=False, defer_build=True
    )

    _error: ClassVar[type[InvalidInput]] = InvalidInput

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise convert_validation_error(exc, self._error) from exc

    @classmethod
    def model_validate(
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        extra: Any = None,
        from_attributes: bool | None = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        """Validate ``obj`` (a dict, usually parsed JSON); bad input raises ``cls._error``."""
        try:
            return super().model_validate(
                obj,
                strict=strict,
                extra=extra,
                from_attributes=from_attributes,
                context=context,
                by_alias=by_alias,
                by_name=by_name,
            )
        except ValidationError as exc:
            raise convert_validation_error(exc, cls._error) from exc

    @classmethod
    def model_validate_json(
        cls,
        json_data: str | bytes | bytearray,
        *,
        strict: bool | None = None,
        extra: Any = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        """Validate a JSON document; bad input raises ``cls._error``.

        The text is held to `penalty.limits` (size, number of values) before pydantic-core
        parses it.
        """
        if isinstance(json_data, str | bytes | bytearray):
            check_text(json_data, what="the JSON document", path=None, error=cls._error)
        try:
            return super().model_validate_json(
                json_data,
                strict=strict,
                extra=extra,
                context=context,
                by_alias=by_alias,
                by_name=by_name,
            )
        except ValidationError as exc:
            raise convert_validation_error(exc, cls._error) from exc

    @classmethod
    def model_construct(  # type: ignore[override]  # the plugin types each model's own
        cls, _fields_set: set[str] | None = None, **values: Any
    ) -> Self:
        """Validates, unlike pydantic's: no public way of building a model skips validation."""
        del _fields_set
        return cls.model_validate(values)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy with ``update`` applied, validated as a new model would be."""
        del deep  # the models are frozen: a shallow copy shares nothing that can change
        if not update:
            return self
        values = {name: getattr(self, name) for name in type(self).model_fields}
        values.update(update)
        return type(self).model_validate(values)
