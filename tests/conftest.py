"""Test session setup: an exotic machine time zone, Hypothesis profiles, fresh sandbox keys."""

from __future__ import annotations

import os
import shutil
import tempfile
import time

import pytest
from hypothesis import HealthCheck, settings

from penalty.providers._sandbox_keys import ENV_VAR

# Nothing in penalty may depend on the machine's zone: pin one that no code would assume
# (UTC+12:45 in winter, +13:45 in summer) so that hidden dependence fails loudly.
os.environ["TZ"] = "Pacific/Chatham"
time.tzset()

settings.register_profile(
    "default", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("ci", max_examples=100, deadline=None, derandomize=True)
settings.register_profile(
    "quick", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz", max_examples=20_000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default")
)


def pytest_configure(config: pytest.Config) -> None:
    """The sandboxes' TEST-ONLY keys are made afresh for the session (their first start is
    tested every run) in a temporary directory, not the user's cache; subprocesses inherit it."""
    if ENV_VAR not in os.environ:
        os.environ[ENV_VAR] = tempfile.mkdtemp(prefix="penalty-test-sandbox-keys-")
        config.add_cleanup(lambda: shutil.rmtree(os.environ.pop(ENV_VAR), ignore_errors=True))
