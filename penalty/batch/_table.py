"""The pure per-batch function: Arrow rows of bookings in, the same rows with their quotes out.

Input columns (others are carried through untouched):

==========  ========================================================================
column      holds
==========  ========================================================================
``id``      anything (carried through; optional)
``booking`` the booking's JSON text (``BOOKING.json``'s object)
``policy``  the provider payload's JSON text
``format``  the payload's format (`penalty.formats.FORMATS`); empty or null: ``auto``
``zone``    IANA zone for formats that need one (``ratehawk``); optional
==========  ========================================================================

The result columns are `RESULT_SCHEMA`. Money crosses Arrow as a decimal string (``fee``) and
integer minor units (``fee_minor``), never as a float. A row that cannot be quoted keeps its
place with ``error_code``, ``error_path`` and ``error_message`` set and every quote column
null; nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from itertools import repeat
from typing import TYPE_CHECKING, Any, Final, overload

import pyarrow as pa

from penalty.batch._quote import (
    DEFAULT_FORMAT,
    ERROR_ROW_WIDTH,
    Row,
    check_format,
    instant,
    quote_row,
)
from penalty.errors import InvalidInput

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "INPUT_COLUMNS",
    "RESULT_DDL",
    "RESULT_NAMES",
    "RESULT_SCHEMA",
    "assemble",
    "check_schema",
    "error_batch",
    "names",
    "output_schema",
    "quote_batch",
    "quote_pandas",
    "quote_rows",
    "quote_table",
    "texts",
]

#: The columns `quote_batch` reads; ``booking`` and ``policy`` are required.
INPUT_COLUMNS: Final = ("id", "booking", "policy", "format", "zone")
_REQUIRED: Final = ("booking", "policy")
#: The columns `quote_batch` adds, in order.
_RESULT_FIELDS: list[tuple[str, pa.DataType]] = [
    ("fee", pa.string()),
    ("fee_minor", pa.int64()),
    ("currency", pa.string()),
    ("phase", pa.string()),
    ("free_until", pa.string()),
    ("next_change", pa.string()),
    ("next_fee", pa.string()),
    ("refundability", pa.string()),
    ("warnings", pa.string()),
    ("error_code", pa.string()),
    ("error_path", pa.string()),
    ("error_message", pa.string()),
]
RESULT_SCHEMA: Final = pa.schema(_RESULT_FIELDS)
#: The result columns in Spark's DDL, for ``mapInArrow(..., schema=INPUT_DDL + ", " + ...)``.
RESULT_DDL: Final = ", ".join(
    f"{name} {'bigint' if kind == pa.int64() else 'string'}" for name, kind in _RESULT_FIELDS
)
RESULT_NAMES: Final = frozenset(RESULT_SCHEMA.names)
_TEXT_TYPES: Final = (pa.string(), pa.large_string(), pa.binary(), pa.large_binary(), pa.null())


def _is_text(kind: pa.DataType) -> bool:
    if pa.types.is_dictionary(kind):
        return _is_text(kind.value_type)
    return any(kind == text for text in _TEXT_TYPES) or pa.types.is_string_view(kind)


def texts(
    batch: pa.RecordBatch, name: str, *, required: bool = False
) -> Sequence[str | bytes | None]:
    """Column ``name`` as Python text (``None`` for nulls; all ``None`` when absent).

    Raises:
        InvalidInput: a required column is missing, or the column does not hold text (a
            whole file is then unreadable: no row could be quoted).
    """
    index = batch.schema.get_field_index(name)
    if index < 0:
        if required:
            raise InvalidInput(
                f"the input has no {name!r} column (it needs {', '.join(_REQUIRED)}; "
                "optional: id, format, zone)",
                path=name,
                code="missing_column",
            )
        return [None] * batch.num_rows
    column = batch.column(index)
    if not _is_text(column.type):
        raise InvalidInput(
            f"the {name!r} column must hold text (JSON text for booking and policy), "
            f"not {column.type}",
            path=name,
            value=str(column.type),
            code="wrong_column_type",
        )
    values: list[str | bytes | None] = column.to_pylist()  # a dictionary column decodes itself
    return values


def check_schema(schema: pa.Schema) -> None:
    """Refuse, before any row is read, an input no row of which could be quoted.

    Raises:
        InvalidInput: ``booking`` or ``policy`` is missing, or a column read as text is not.
    """
    texts(pa.RecordBatch.from_pylist([], schema=schema), "booking", required=True)
    for name in ("policy", "format", "zone"):
        texts(pa.RecordBatch.from_pylist([], schema=schema), name, required=name == "policy")


def names(batch: pa.RecordBatch, name: str) -> list[str | None]:
    """A column of names (``format``, ``zone``) as `str` (binary cells decoded as UTF-8)."""
    return [
        value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        for value in texts(batch, name)
    ]


def output_schema(schema: pa.Schema) -> pa.Schema:
    """The schema of `quote_batch`'s result for input of ``schema``."""
    kept = [field for field in schema if field.name not in RESULT_NAMES]
    result = pa.schema([*kept, *RESULT_SCHEMA])
    return result.with_metadata(schema.metadata) if schema.metadata else result


def _result_arrays(rows: Sequence[Row], count: int) -> list[pa.Array[Any]]:
    columns: Sequence[Sequence[Any]] = (
        list(zip(*rows, strict=True)) if rows else [()] * ERROR_ROW_WIDTH
    )
    assert len(rows) == count  # noqa: S101 - one result per input row, by construction
    return [
        pa.array(values, type=field.type)
        for values, field in zip(columns, RESULT_SCHEMA, strict=True)
    ]


def assemble(batch: pa.RecordBatch, rows: Sequence[Row]) -> pa.RecordBatch:
    kept = [index for index, name in enumerate(batch.schema.names) if name not in RESULT_NAMES]
    arrays = [batch.column(index) for index in kept] + _result_arrays(rows, batch.num_rows)
    return pa.RecordBatch.from_arrays(arrays, schema=output_schema(batch.schema))


def quote_rows(
    batch: pa.RecordBatch,
    at: datetime | str,
    *,
    format: str = DEFAULT_FORMAT,  # noqa: A002 - the column's name
    preset: Mapping[int, Row] | None = None,
) -> list[Row]:
    """Each row of ``batch`` quoted at ``at`` (already checked by `instant`).

    ``format`` is the format of rows whose ``format`` cell is empty or null. ``preset`` holds
    rows already known to be errors (a line of JSONL that is not an object), by position: they
    are not quoted again.
    """
    bookings = texts(batch, "booking", required=True)
    policies = texts(batch, "policy", required=True)
    formats = [cell or format for cell in names(batch, "format")]
    zones = names(batch, "zone")
    rows = list(map(quote_row, bookings, policies, formats, zones, repeat(at)))
    for position, row in (preset or {}).items():
        rows[position] = row
    return rows


@overload
def quote_batch(
    batch: pa.RecordBatch,
    at: datetime | str,
    *,
    format: str = ...,
) -> pa.RecordBatch: ...
@overload
def quote_batch(
    batch: pa.Table,
    at: datetime | str,
    *,
    format: str = ...,
) -> pa.Table: ...
def quote_batch(
    batch: pa.RecordBatch | pa.Table,
    at: datetime | str,
    *,
    format: str = DEFAULT_FORMAT,  # noqa: A002 - the column's name
) -> pa.RecordBatch | pa.Table:
    """``batch``'s rows with their quotes at ``at``: the same columns plus `RESULT_SCHEMA`.

    ``at`` is an aware `datetime` or ISO 8601 text with an offset (the one grammar of
    `penalty.instants`); ``format`` is that of rows whose ``format`` cell is empty or null. A
    result column already in ``batch`` is replaced. A `pyarrow.Table` (what Ray Data's
    ``map_batches(batch_format="pyarrow")`` passes) gives a table back.

    Raises:
        InvalidInstant: ``at`` is not an instant with an offset.
        InvalidInput: ``booking`` or ``policy`` is missing or does not hold text.

    Example:
        >>> import json, pyarrow as pa
        >>> booking = json.dumps({"total": "3000000", "currency": "VND"})
        >>> policy = json.dumps([{"startDate": "2021-05-12T18:00:00+07:00",
        ...     "endDate": "2021-05-13T18:00:00+07:00", "type": "PERCENT", "percent": "70%",
        ...     "currency": "VND", "nights": "", "amount": "", "description": ""}])
        >>> batch = pa.record_batch({"id": ["B1", "B2"], "booking": [booking, "{"],
        ...     "policy": [policy, policy], "format": ["gotadi", None]})
        >>> out = quote_batch(batch, "2021-05-13T00:00:00+07:00")
        >>> out.column("fee").to_pylist(), out.column("fee_minor").to_pylist()
        (['2100000', None], [2100000, None])
        >>> out.column("free_until").to_pylist()[0], out.column("error_code").to_pylist()
        ('2021-05-12T18:00:00+07:00', [None, 'not_json'])
    """
    if isinstance(batch, pa.Table):
        return quote_table(batch, at, format=format)
    checked = instant(at)
    return assemble(batch, quote_rows(batch, checked, format=check_format(format)))


def quote_table(
    table: pa.Table,
    at: datetime | str,
    *,
    format: str = DEFAULT_FORMAT,  # noqa: A002 - the column's name
) -> pa.Table:
    """`quote_batch` over every batch of ``table``."""
    checked, name = instant(at), check_format(format)
    batches = [
        assemble(batch, quote_rows(batch, checked, format=name)) for batch in table.to_batches()
    ]
    return pa.Table.from_batches(batches, schema=output_schema(table.schema))


def quote_pandas(
    frame: pd.DataFrame,
    at: datetime | str,
    *,
    format: str = DEFAULT_FORMAT,  # noqa: A002 - the column's name
) -> pd.DataFrame:
    """`quote_batch` on a pandas DataFrame (the shape `dask.dataframe.map_partitions` wants).

    The result uses Arrow-backed dtypes (``pd.ArrowDtype``): ``fee_minor`` stays an integer
    column with nulls (numpy would turn it into floats), ``fee`` a decimal string.
    """
    import pandas as pd

    table = pa.Table.from_pandas(frame, preserve_index=False)
    quoted = quote_table(table, at, format=format)
    result: pd.DataFrame = quoted.to_pandas(types_mapper=pd.ArrowDtype)
    result.index = frame.index
    return result


def error_batch(schema: pa.Schema, errors: Sequence[tuple[str, str | None, str]]) -> pa.RecordBatch:
    """Rows for input that never became rows (a CSV line of the wrong width): errors only.

    Every input column is null; ``error_code``, ``error_path`` and ``error_message`` say what
    was wrong and where.
    """
    kept = [field for field in schema if field.name not in RESULT_NAMES]
    rows: list[Row] = [
        (None, None, None, None, None, None, None, None, None, code, path, message)
        for code, path, message in errors
    ]
    arrays = [pa.nulls(len(rows), type=field.type) for field in kept]
    arrays += _result_arrays(rows, len(rows))
    return pa.RecordBatch.from_arrays(arrays, schema=output_schema(schema))
