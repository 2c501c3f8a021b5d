"""Many flows at once: asyncio tasks and threads, distinct bookings, and one booking twice.

50 concurrent async flows for distinct bookings all end confirmed against the sandbox; two
flows for one booking never both send, whatever the spelling of the base URL, across asyncio
tasks as across threads; a cancelled flow task gives the booking back.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from penalty.booking import Booking
from penalty.providers.gotadi import (
    AsyncClient,
    CancellationInFlight,
    CancelOutcome,
    Client,
    Config,
    FlowSettings,
    FlowState,
    Reply,
    Sandbox,
    Scenario,
)
from penalty.providers.gotadi.models import CancellationStatus

from .support import AT, FAST_RETRY, changed

FLOW = FlowSettings(poll_initial=0.01, poll_max=0.05, deadline=10.0)
WAITING = Reply(CancellationStatus.CANCEL_WAITING_CONFIRM.value)


def _spellings(url: str) -> list[str]:
    """The same sandbox, written three ways."""
    port = url.rsplit(":", 1)[1]
    return [url, f"http://localhost:{port}/", f"http://LOCALHOST:{port}"]


def test_fifty_concurrent_async_flows_for_distinct_bookings_all_confirm(
    settings: Config, sandbox: Sandbox, booking: Booking
) -> None:
    """50 tasks on one AsyncClient, 50 bookings (each confirmed after a wait): all confirmed,
    exactly one cancellation each, never two of one booking at once."""
    numbers = [f"EX3-A{index}" for index in range(50)]
    for number in numbers:
        sandbox.script(number, Scenario(cancel=(WAITING,), status=(Reply(),)))

    async def main() -> list[CancelOutcome]:
        async with AsyncClient(settings, retry=FAST_RETRY) as client:
            flows = [
                client.cancel_booking(number, booking, now=lambda: AT, settings=FLOW)
                for number in numbers
            ]
            return await asyncio.gather(*flows)

    outcomes = asyncio.run(main())
    assert [outcome.state for outcome in outcomes] == [FlowState.CONFIRMED] * 50
    assert [outcome.booking_number for outcome in outcomes] == numbers
    assert all(sandbox.count("cancel", number) == 1 for number in numbers)
    assert sandbox.max_concurrent_cancels == 1


def test_two_async_flows_for_one_booking_never_both_send(
    settings: Config, sandbox: Sandbox, booking: Booking
) -> None:
    """Two tasks cancel one booking through three spellings of the URL: one flow runs, the
    others get CancellationInFlight at once; one cancellation reaches Gotadi."""
    sandbox.script("EX3", Scenario(cancel=(WAITING,), status=(WAITING, WAITING, Reply())))
    configs = [changed(settings, base_url=url) for url in _spellings(settings.base_url)]

    async def one(config: Config) -> CancelOutcome | CancellationInFlight:
        async with AsyncClient(config, retry=FAST_RETRY) as client:
            try:
                return await client.cancel_booking("EX3", booking, now=lambda: AT, settings=FLOW)
            except CancellationInFlight as exc:
                return exc

    async def main() -> list[CancelOutcome | CancellationInFlight]:
        return await asyncio.gather(*(one(config) for config in configs))

    results = asyncio.run(main())
    assert sum(isinstance(result, CancelOutcome) for result in results) == 1
    assert sum(isinstance(result, CancellationInFlight) for result in results) == 2
    assert sandbox.count("cancel") == 1


def test_two_threads_for_one_booking_never_both_send(
    settings: Config, sandbox: Sandbox, booking: Booking
) -> None:
    """The same across threads: http://127.0.0.1:P and http://localhost:P/ are one gateway."""
    sandbox.script("EX3", Scenario(cancel=(WAITING,), status=(WAITING, WAITING, Reply())))
    first_url, second_url = _spellings(settings.base_url)[:2]
    results: list[object] = []
    started = threading.Event()

    def one_flow(url: str) -> None:
        with Client(changed(settings, base_url=url), retry=FAST_RETRY) as client:
            try:
                results.append(
                    client.cancel_booking(
                        "EX3",
                        booking,
                        now=lambda: AT,
                        settings=FLOW,
                        on_step=lambda step: started.set() if step.action == "cancel" else None,
                    )
                )
            except CancellationInFlight as exc:
                results.append(exc)

    first = threading.Thread(target=one_flow, args=(first_url,))
    first.start()
    assert started.wait(10)
    one_flow(second_url)
    first.join(10)
    assert sum(isinstance(result, CancellationInFlight) for result in results) == 1
    assert sum(isinstance(result, CancelOutcome) for result in results) == 1
    assert sandbox.count("cancel") == 1


def test_a_cancelled_flow_task_gives_the_booking_back(
    settings: Config, sandbox: Sandbox, booking: Booking
) -> None:
    """An async flow cancelled while it polls (asyncio.sleep) stops at once and frees the
    booking: the next flow follows the cancellation under way instead of sending another."""
    sandbox.script("EX3", Scenario(cancel=(WAITING,), status=(WAITING,)))
    slow = FlowSettings(poll_initial=30.0, deadline=60.0)

    async def main() -> CancelOutcome:
        async with AsyncClient(settings, retry=FAST_RETRY) as client:
            polling = asyncio.Event()

            def on_step(step: Any) -> None:
                if step.action == "cancel":
                    polling.set()

            flow = client.cancel_booking(
                "EX3", booking, now=lambda: AT, settings=slow, on_step=on_step
            )
            task = asyncio.create_task(flow)
            await asyncio.wait_for(polling.wait(), 10)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            quick = FlowSettings(poll_initial=0.01, deadline=0.05)
            return await client.cancel_booking("EX3", booking, now=lambda: AT, settings=quick)

    outcome = asyncio.run(main())
    assert outcome.state is FlowState.PENDING
    assert outcome.amount_sent is None
    assert sandbox.count("cancel") == 1
