"""`import penalty` loads the engine and the formats, nothing a feature does not need."""

from __future__ import annotations

import json
import subprocess
import sys

import penalty

_GOTADI = (
    '[{"startDate": "2021-05-12T18:00:00+07:00", "endDate": "2021-05-13T18:00:00+07:00", '
    '"type": "PERCENT", "percent": "70%"}]'
)


def _packages_loaded_by(code: str) -> set[str]:
    """The top-level packages in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    return {name.partition(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}


def test_import_penalty_loads_none_of_the_heavy_dependencies() -> None:
    """`import penalty` loads the engine (pydantic), not babel, httpx, crypto, hypothesis."""
    loaded = _packages_loaded_by("import penalty")
    heavy = {"babel", "httpx", "cryptography", "hypothesis", "pendulum"}
    assert not loaded & heavy


def test_quoting_loads_no_provider_or_test_dependency() -> None:
    """Parsing, compiling and quoting a Gotadi policy never loads httpx, crypto or hypothesis."""
    loaded = _packages_loaded_by(
        "import json, penalty\n"
        f"policy = penalty.Policy.from_gotadi(json.loads({_GOTADI!r}))\n"
        "booking = penalty.Booking.model_validate({'total': '100', 'currency': 'VND'})\n"
        "assert policy.quote(booking, '2021-05-13T00:00:00+07:00').fee == 70"
    )
    assert not loaded & {"httpx", "cryptography", "hypothesis"}


def test_engine_names_are_the_engine_modules_own() -> None:
    """The lazily loaded names are the very classes of their modules, and `dir` lists them."""
    from penalty import booking, policy, timeline

    assert penalty.Policy is policy.Policy
    assert penalty.Booking is booking.Booking
    assert penalty.Quote is timeline.Quote
    assert set(penalty.__all__) <= set(dir(penalty))


def test_strategies_import_first_in_a_fresh_interpreter() -> None:
    """``from penalty import strategies`` before anything imported hypothesis: hypothesis runs
    its entry points while the package is half-imported, and ours must load then (it failed
    with "partially initialized module" when the hook lived in the package's ``__init__``)."""
    for code in (
        "from penalty import strategies",
        "import penalty\npenalty.strategies.bookings()",
        "import penalty.strategies",
    ):
        script = (
            f"{code}\nimport penalty\nfrom hypothesis import strategies as st\n"
            "print(type(st.from_type(penalty.Booking).example()).__name__)"
        )
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.split()[-1] == "Booking"
