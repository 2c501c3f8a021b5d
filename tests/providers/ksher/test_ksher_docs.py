"""The docstring examples of the Ksher modules run and pass."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "penalty.providers.ksher.signing",
    "penalty.providers.ksher.models",
    "penalty.providers.ksher.client",
    "penalty.providers.ksher.sandbox",
    "penalty.providers.ksher.config",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_pass(name: str) -> None:
    """Every ``>>>`` example in the module's docstrings runs and gives the shown output."""
    result = doctest.testmod(importlib.import_module(name), report=True)
    assert result.failed == 0
    assert result.attempted > 0
