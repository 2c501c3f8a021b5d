"""``st.from_type`` for the engine's types: what hypothesis's entry point calls at start-up.

Importing `penalty.strategies` imports hypothesis, and hypothesis, while it starts, loads its
entry points, this one included, when `penalty.strategies` and its `_engine` are still half
imported. So this module names `_engine` without taking anything from it, and the strategies
it registers are `st.deferred`: they are looked up when first drawn, long after every import has
finished. (Taking ``bookings`` from the half-imported module failed: "partially initialized
module".)
"""

from __future__ import annotations

from hypothesis import strategies as st

from penalty.booking import Booking
from penalty.policy import Policy, Window
from penalty.rules import Rules
from penalty.strategies import _engine

__all__ = ["register_types"]


def register_types() -> None:
    """Let ``st.from_type`` build `Booking`, `Policy`, `Window` and `Rules` from these strategies.

    Called by hypothesis itself at start-up (the ``hypothesis`` entry point in the package's
    metadata), and again, harmlessly, when `penalty.strategies` is imported.
    """
    # The lambdas look the names up when drawn: `_engine` may be half imported now.
    st.register_type_strategy(Booking, st.deferred(lambda: _engine.bookings()))  # noqa: PLW0108
    st.register_type_strategy(
        Window, st.deferred(lambda: _engine.windows(open_ends=True, relative=True))
    )
    st.register_type_strategy(
        Policy, st.deferred(lambda: _engine.policies(any_rules=True, relative=True))
    )
    st.register_type_strategy(Rules, st.deferred(lambda: _engine.rules()))  # noqa: PLW0108
