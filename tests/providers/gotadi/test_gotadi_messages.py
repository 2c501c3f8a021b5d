"""Gotadi payload models: pipe fields in wire order, enums, error codes, amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from penalty.errors import InvalidInput, ProviderProtocolError, ProviderRejected
from penalty.providers.gotadi.models import (
    CancellationCheckRequest,
    CancellationCheckResponse,
    CancellationRequest,
    CancellationResponse,
    CancellationStatus,
    Envelope,
    ErrorCode,
    Outcome,
    ProductType,
    format_amount,
)

ACCESS = "TEST-ONLY-access"
SECRET_ACCESS = SecretStr(ACCESS)


def test_cancellation_request_fields_are_in_wire_order() -> None:
    """access_code|booking_number|cancel_penalty_amount, in that order."""
    request = CancellationRequest(
        access_code=SECRET_ACCESS, booking_number="HD1", cancel_penalty_amount="2100000.00"
    )
    assert request.to_fields() == [ACCESS, "HD1", "2100000.00"]
    assert request.amount == Decimal("2100000.00")


def test_cancellation_check_response_reads_every_field() -> None:
    """The six fields of a cancellation-check answer become typed values."""
    fields = [ACCESS, "HD1", "00", "HOTEL", "CANCEL_CONFIRMED", "1000000.00"]
    answer = CancellationCheckResponse.from_fields(fields)
    assert answer.error_code is ErrorCode.SUCCESS
    assert answer.product_type is ProductType.HOTEL
    assert answer.cancellation_status is CancellationStatus.CANCEL_CONFIRMED
    assert answer.amount == Decimal("1000000.00")
    assert answer.to_fields() == fields


def test_empty_optional_fields_are_none() -> None:
    """An error answer with empty product type and status reads them as None, and writes ''."""
    answer = CancellationResponse.from_fields([ACCESS, "HD1", "07", "", ""])
    assert answer.product_type is None
    assert answer.cancellation_status is None
    assert answer.to_fields() == [ACCESS, "HD1", "07", "", ""]


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ([ACCESS, "HD1", "00", "HOTEL"], "cancellation.response"),
        ([ACCESS, "HD1", "42", "HOTEL", "CANCEL_CONFIRMED"], "cancellation.response.error_code"),
        ([ACCESS, "HD1", "00", "BUS", "CANCEL_CONFIRMED"], "cancellation.response.product_type"),
        ([ACCESS, "HD1", "00", "HOTEL", "DONE"], "cancellation.response.cancellation_status"),
        (["", "HD1", "00", "HOTEL", "CANCEL_CONFIRMED"], "cancellation.response.access_code"),
    ],
    ids=["count", "error-code", "product", "status", "empty-access"],
)
def test_an_answer_outside_the_protocol_is_a_protocol_error(fields: list[str], path: str) -> None:
    """Wrong field count or an undocumented value raises ProviderProtocolError with its path."""
    with pytest.raises(ProviderProtocolError) as caught:
        CancellationResponse.from_fields(fields)
    assert caught.value.path == path


def test_an_access_code_is_never_in_reprs_or_errors() -> None:
    """The access code is a secret: hidden in model reprs and absent from validation errors."""
    request = CancellationCheckRequest(access_code=SECRET_ACCESS, booking_number="HD1")
    assert ACCESS not in repr(request)
    assert ACCESS not in str(request)
    with pytest.raises(ProviderProtocolError) as caught:
        CancellationCheckResponse.from_fields([ACCESS, "HD1", "00", "HOTEL", "NOPE", ""])
    assert ACCESS not in str(caught.value)


def test_a_bad_amount_in_an_answer_is_a_protocol_error() -> None:
    """cancel_penalty_amount must be two-decimal: '1000000' is refused."""
    with pytest.raises(ProviderProtocolError):
        CancellationCheckResponse.from_fields(
            [ACCESS, "HD1", "00", "HOTEL", "CANCEL_CONFIRMED", "1000000"]
        )


@given(cents=st.integers(min_value=0, max_value=10**15))
def test_format_amount_writes_exactly_two_decimals(cents: int) -> None:
    """Any amount with at most two decimals is written as digits.dd, and reads back equal."""
    amount = Decimal(cents).scaleb(-2)
    text = format_amount(amount)
    assert text.count(".") == 1
    assert len(text.split(".")[1]) == 2
    assert Decimal(text) == amount


@pytest.mark.parametrize(
    "amount",
    [Decimal("1.005"), Decimal(-1), Decimal("NaN"), Decimal("Infinity"), 1.5, "1.00"],
    ids=repr,
)
def test_format_amount_never_rounds_or_guesses(amount: object) -> None:
    """Three decimals, negatives, non-finite values, floats and strings are InvalidInput."""
    with pytest.raises(InvalidInput):
        format_amount(amount)  # type: ignore[arg-type]


def test_format_amount_of_exponent_forms() -> None:
    """Decimal('2.1E+6') and Decimal('33.3') are written 2100000.00 and 33.30."""
    assert format_amount(Decimal("2.1E+6")) == "2100000.00"
    assert format_amount(Decimal("33.3")) == "33.30"


def test_error_code_table_is_complete_and_classified() -> None:
    """00…10 and 99 are known; 00 is OK, 01/08/09 pending, the rest rejections."""
    assert [code.value for code in ErrorCode] == [f"{n:02d}" for n in range(11)] + ["99"]
    assert ErrorCode.SUCCESS.outcome is Outcome.OK
    pending = {code for code in ErrorCode if code.outcome is Outcome.PENDING}
    assert pending == {
        ErrorCode.PROCESSING,
        ErrorCode.ALREADY_PROCESSED,
        ErrorCode.NOT_YET_PROCESSED,
    }


@pytest.mark.parametrize("code", list(ErrorCode), ids=str)
def test_each_error_code_maps_to_a_typed_rejection(code: ErrorCode) -> None:
    """Every code builds a ProviderRejected carrying Gotadi's code and a stable machine code."""
    error = code.rejection(booking_number="HD1")
    assert isinstance(error, ProviderRejected)
    assert error.provider_code == code.value
    assert error.code == code.name.lower()
    assert code.meaning in str(error)


def test_an_undocumented_error_code_is_a_protocol_error() -> None:
    """ErrorCode.parse('42') raises ProviderProtocolError, it never guesses."""
    with pytest.raises(ProviderProtocolError):
        ErrorCode.parse("42")
    assert ErrorCode.parse(" 04 ") is ErrorCode.INVALID_SIGNATURE


def test_final_statuses() -> None:
    """Only CONFIRMED and EXPIRED are final."""
    assert {status for status in CancellationStatus if status.is_final} == {
        CancellationStatus.CANCEL_CONFIRMED,
        CancellationStatus.CANCEL_EXPIRED,
    }


def test_envelope_requires_key_and_data_and_ignores_extras() -> None:
    """{"key","data"} parse; extra members are ignored; empty ones are refused."""
    envelope = Envelope.model_validate({"key": "k", "data": "d", "success": True})
    assert (envelope.key, envelope.data) == ("k", "d")
    with pytest.raises(ValueError, match="key"):
        Envelope.model_validate({"key": "", "data": "d"})
