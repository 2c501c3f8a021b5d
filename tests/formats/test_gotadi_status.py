"""SEMANTICS rule 18: Gotadi's status comes first; a refusal never yields a fee (issue 11)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import penalty
from penalty import NotCancellable, ProviderRejected
from tests.helpers import GOTADI, load

LIVE: dict[str, Any] = load(GOTADI / "live_response.json")
BOOKING = penalty.Booking.model_validate(load(GOTADI / "booking_live.json"))


def _with(**changes: Any) -> dict[str, Any]:
    response: dict[str, Any] = json.loads(json.dumps(LIVE))
    for key, value in changes.items():
        if key == "status":
            response["result"]["status"] = value
        else:
            response[key] = value
    return response


@pytest.mark.parametrize("as_bytes", [False, True], ids=["parsed", "bytes"])
@pytest.mark.parametrize("status", ["NOT_ALLOW_CANCELLATION", "UNKNOWN"])
def test_a_status_that_forbids_cancelling_raises(status: str, *, as_bytes: bool) -> None:
    """NOT_ALLOW_CANCELLATION and UNKNOWN raise NotCancellable naming the status: no fee."""
    response = _with(status=status)
    payload = json.dumps(response).encode() if as_bytes else response
    with pytest.raises(NotCancellable) as caught:
        penalty.from_gotadi(payload)
    assert (caught.value.provider_code, caught.value.path) == (status, "result.status")
    assert isinstance(caught.value, ProviderRejected)


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"success": False, "textMessage": "Booking is locked"}, "Booking is locked"),
        ({"success": 0}, ""),
        ({"errors": [{"code": "05", "message": "Booking not found"}]}, "Booking not found"),
        ({"errors": ["something went wrong"]}, "something went wrong"),
    ],
    ids=["success-false", "success-0", "errors-object", "errors-text"],
)
def test_a_failed_call_raises_with_gotadis_messages(changes: dict[str, Any], said: str) -> None:
    """success: false or any errors raise ProviderRejected carrying Gotadi's own words."""
    with pytest.raises(ProviderRejected) as caught:
        penalty.from_gotadi(_with(**changes))
    assert caught.value.code == "check_failed"
    assert said in caught.value.message
    assert not isinstance(caught.value, NotCancellable)


def test_allowed_and_unstated_statuses_quote() -> None:
    """ALLOW_CANCELLATION, or a list or result with no status at all, quotes as before."""
    for payload in (
        LIVE,
        LIVE["result"],
        LIVE["result"]["cancelPenalties"],
        {"cancelPenalties": LIVE["result"]["cancelPenalties"]},
    ):
        fee = penalty.compile(penalty.from_gotadi(payload), BOOKING).fee("2021-08-26T05:00:00Z")
        assert fee == 1100000


def test_the_cli_exits_1_with_one_line(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """penalty quote on a refusing response: exit 1, one line on stderr, nothing on stdout."""
    from penalty.cli import main

    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(_with(status="NOT_ALLOW_CANCELLATION")), encoding="utf-8")
    argv = ["quote", str(policy), "--booking", str(GOTADI / "booking_live.json")]
    assert main([*argv, "--at", "2021-08-26T05:00:00Z"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1
    assert "NOT_ALLOW_CANCELLATION" in err
