"""The docstring examples of the Tiki modules run and pass."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "penalty.providers.tiki.signing",
    "penalty.providers.tiki.models",
    "penalty.providers.tiki.client",
    "penalty.providers.tiki.sandbox",
    "penalty.providers.tiki.config",
    "penalty.providers._config",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_pass(name: str) -> None:
    """Every ``>>>`` example in the module's docstrings runs and gives the shown output."""
    result = doctest.testmod(importlib.import_module(name), report=True)
    assert result.failed == 0
    assert result.attempted > 0
