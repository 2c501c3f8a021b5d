"""The baselines `make bench` compares penalty with give penalty's fee on the benchmark's inputs.

A baseline that answered something else would make every ratio of the README's performance
tables meaningless: the lean floor, the two validating floors and the partner-style reference
are checked here at instants before, inside, on the edges of and after each policy's windows.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

import penalty
from bench import reference_impl as ref
from bench.lean import lean_fee
from bench.pipeline_floor import one_fee, pipeline_fee
from bench.run import BOOKING, START, response_bytes

#: Hours from START: before the first window, on and between every edge, after the last.
_HOURS = [-30, 0, 1, 167, 168, 169, 200, 240, 241, 263, 264, 265, 287, 288, 289, 400]


@pytest.mark.parametrize("shift", [0, 7, 61])
def test_every_baseline_gives_penaltys_fee(shift: int) -> None:
    response = response_bytes(START + timedelta(minutes=shift))
    timeline = penalty.compile(
        penalty.from_gotadi(response), penalty.Booking.model_validate(BOOKING)
    )
    windows = ref.parse_policy(json.loads(response)["result"]["cancelPenalties"])
    stay = ref.Stay.model_validate(BOOKING)
    for hours in _HOURS:
        at = START + timedelta(minutes=shift, hours=hours)
        fee = timeline.fee(at)
        assert lean_fee(response, BOOKING, at) == fee, hours
        assert pipeline_fee(response, BOOKING, at) == fee, hours
        assert one_fee(response, BOOKING, at) == fee, hours
        assert ref.quote(windows, stay, at) == fee, hours


def test_the_validating_floors_refuse_what_penalty_refuses() -> None:
    bad = response_bytes(START).replace(b'"10%"', b'"110%"')
    with pytest.raises(penalty.InvalidPolicy):
        penalty.from_gotadi(bad)
    for floor in (pipeline_fee, one_fee):
        with pytest.raises(ValueError, match="110%"):
            floor(bad, BOOKING, START)
