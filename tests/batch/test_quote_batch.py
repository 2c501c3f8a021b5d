"""`quote_batch`, the pure per-batch function: every row is the engine's own quote."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import penalty
from penalty import strategies as ps
from penalty.batch import RESULT_SCHEMA, quote_batch, quote_pandas, quote_table
from tests.batch.rows import AT, Row, check

_BAD = (
    ('{"total": "1,5", "currency": "VND"}', None),
    ("{", None),
    (
        '{"total": "10", "currency": "USD"}',
        '{"result": {"cancelPenalties": [], "status": "UNKNOWN"}}',
    ),
    ('{"total": "10", "currency": "USD"}', "[]"),  # an empty list fits every format: undetectable
)


def exact(value: Any) -> str:
    """JSON text with every Decimal written exactly as a number."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {exact(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(exact(item) for item in value) + "]"
    return json.dumps(value)


def booking_json(booking: penalty.Booking) -> str:
    """A booking as the JSON a file holds."""
    return json.dumps(booking.model_dump(mode="json", exclude_none=True))


@st.composite
def table_rows(draw: st.DrawFn) -> Row:
    """A good row of any format (its format named or left to detection), or a bad one."""
    if draw(st.integers(0, 7)) == 0:
        text, policy = draw(st.sampled_from(_BAD))
        return Row("bad", text, policy, None, None)
    name, payload, booking, zone = draw(ps.format_cases())
    shown = draw(st.sampled_from((name, name, None)))
    return Row(name, booking_json(booking), exact(payload), shown, zone)


def _batch(rows: list[Row]) -> pa.RecordBatch:
    return pa.record_batch(
        {
            name: pa.array([getattr(row, name) for row in rows], pa.string())
            for name in ("id", "booking", "policy", "format", "zone")
        }
    )


@settings(max_examples=40)
@given(st.lists(table_rows(), min_size=1, max_size=6), ps.instants())
def test_every_row_is_the_engines_quote(rows: list[Row], at: datetime) -> None:
    """Any rows, any instant: each result row is what the engine says of that row."""
    quoted = quote_batch(_batch(rows), at)
    assert quoted.schema.names[-len(RESULT_SCHEMA) :] == RESULT_SCHEMA.names
    check(rows, quoted.to_pylist(), at)


def test_money_is_never_a_float() -> None:
    """The fee is a decimal string and integer minor units; pandas keeps integers integers."""
    quoted = quote_batch(
        _batch(
            [
                Row("a", '{"total": "12.345", "currency": "KWD"}', "[]", "gotadi", None),
                Row("b", "{", "[]", "gotadi", None),
            ]
        ),
        AT,
    )
    assert quoted.schema.field("fee").type == pa.string()
    assert quoted.schema.field("fee_minor").type == pa.int64()
    assert quoted.column("fee").to_pylist() == ["12.345", None]
    assert quoted.column("fee_minor").to_pylist() == [12345, None]
    assert not any(pa.types.is_floating(field.type) for field in quoted.schema)


def test_pandas_variant_keeps_integer_minor_units() -> None:
    """`quote_pandas`: Arrow-backed dtypes, no float column, the index kept."""
    import pandas as pd

    frame = pd.DataFrame(
        {
            "id": ["a", "b"],
            "booking": ['{"total": "10", "currency": "USD"}', "{"],
            "policy": ["[]", "[]"],
            "format": ["gotadi", "gotadi"],
        },
        index=[10, 11],
    )
    quoted = quote_pandas(frame, AT)
    assert list(quoted.index) == [10, 11]
    assert str(quoted["fee_minor"].dtype) == "int64[pyarrow]"
    assert quoted["fee_minor"].iloc[0] == 1000
    assert pd.isna(quoted["fee_minor"].iloc[1])
    assert not any("float" in str(dtype) for dtype in quoted.dtypes)


def test_requoting_replaces_the_result_columns() -> None:
    """A quoted batch quoted again at another instant: same columns, new values."""
    policy = json.dumps(
        [
            {
                "startDate": "2030-06-15T00:00:00Z",
                "endDate": "2030-06-16T00:00:00Z",
                "type": "PERCENT",
                "percent": "50%",
                "currency": "USD",
                "nights": "",
                "amount": "",
                "description": "",
            }
        ]
    )
    batch = _batch([Row("a", '{"total": "100", "currency": "USD"}', policy, "gotadi", None)])
    before = quote_batch(batch, "2030-06-14T00:00:00Z")
    after = quote_batch(before, "2030-06-15T12:00:00Z")
    assert after.schema == before.schema
    assert before.column("fee").to_pylist() == ["0.00"]
    assert after.column("fee").to_pylist() == ["50.00"]
    assert after.column("next_change").to_pylist() == ["2030-06-16T00:00:00+00:00"]
    assert after.column("free_until").to_pylist() == ["2030-06-15T00:00:00+00:00"]


def test_other_column_layouts() -> None:
    """Binary and dictionary-encoded text, no ``id``, ``format`` or ``zone``; a table too."""
    booking = '{"total": "10", "currency": "USD"}'
    batch = pa.record_batch(
        {
            "booking": pa.array([booking.encode()], pa.binary()),
            "policy": pa.array(["[]"]).dictionary_encode(),
            "other": pa.array([1.5]),
        }
    )
    quoted = quote_batch(batch, AT, format="gotadi")
    assert quoted.column("other").to_pylist() == [1.5]
    assert quoted.column("fee").to_pylist() == ["10.00"]
    assert quoted.column("warnings").to_pylist() == ["no_windows"]
    table = quote_table(pa.Table.from_batches([batch, batch]), AT, format="gotadi")
    assert table.column("fee").to_pylist() == ["10.00", "10.00"]
    same = quote_batch(pa.Table.from_batches([batch, batch]), AT, format="gotadi")  # Ray's way
    assert isinstance(same, pa.Table)
    assert same.equals(table)


@pytest.mark.parametrize(
    ("batch", "code"),
    [
        (pa.record_batch({"policy": pa.array(["[]"])}), "missing_column"),
        (
            pa.record_batch([pa.array([1]), pa.array(["[]"])], names=["booking", "policy"]),
            "wrong_column_type",
        ),
    ],
)
def test_unusable_columns_refuse_the_batch(batch: pa.RecordBatch, code: str) -> None:
    """A batch no row of which could be read raises, naming the column."""
    with pytest.raises(penalty.InvalidInput) as caught:
        quote_batch(batch, AT)
    assert caught.value.code == code


@pytest.mark.parametrize("at", ["2030-06-15T09:30", datetime(2030, 6, 15), "soon"])
def test_at_must_be_an_instant(at: object) -> None:
    """``at`` needs an offset: hotels of a batch are in many zones."""
    with pytest.raises(penalty.InvalidInstant):
        quote_batch(_batch([]), at)  # type: ignore[call-overload]


def test_unknown_default_format_is_refused() -> None:
    """``format=`` names a known format."""
    with pytest.raises(penalty.InvalidInput) as caught:
        quote_batch(_batch([]), AT, format="nope")
    assert caught.value.code == "unknown_format"


def test_sub_microsecond_at_is_kept_exact() -> None:
    """An instant finer than a microsecond is quoted as written, not rounded."""
    policy = json.dumps(
        [
            {
                "startDate": "2030-06-15T00:00:00.000000001Z",
                "endDate": "2030-06-16T00:00:00Z",
                "type": "PERCENT",
                "percent": "50%",
                "currency": "USD",
                "nights": "",
                "amount": "",
                "description": "",
            }
        ]
    )
    batch = _batch([Row("a", '{"total": "100", "currency": "USD"}', policy, "gotadi", None)])
    assert quote_batch(batch, "2030-06-15T00:00:00Z").column("fee").to_pylist() == ["0.00"]
    assert quote_batch(batch, "2030-06-15T00:00:00.000000001Z").column("fee").to_pylist() == [
        "50.00"
    ]
