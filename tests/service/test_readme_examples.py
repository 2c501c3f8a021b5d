"""The README's "Service" section: every endpoint has a curl example, and each example, run
with curl against the live service, answers what the README shows (volatile numbers aside)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess

import pytest

from tests.helpers import ROOT

README = ROOT / "README.md"
ENDPOINTS = ("/v1/quote", "/v1/schedule", "/v1/preview", "/v1/formats", "/healthz", "/openapi.json")


def examples() -> list[tuple[str, list[str]]]:
    """(command, the lines the README shows after it) for each ``$ curl`` in "Service"."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Service\n", 1)[1].split("\n## ", 1)[0]
    found: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```text\n(.*?)```", section, flags=re.DOTALL):
        for line in block.splitlines():
            if line.startswith("$ curl "):
                found.append((line[2:], []))
            elif found:
                found[-1][1].append(line)
    return found


def test_every_endpoint_has_a_curl_example() -> None:
    commands = " ".join(command for command, _ in examples())
    for endpoint in ENDPOINTS:
        assert f"localhost:8000{endpoint}" in commands, endpoint


def compact(text: str) -> str:
    """JSON spacing and babel's no-break spaces aside."""
    return re.sub(r"([:,])\s+", r"\1", text.replace("\xa0", " "))


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize(("command", "shown"), examples())
def test_readme_curl_example_answers_as_shown(
    base_url: str, command: str, shown: list[str]
) -> None:
    argv = [word.replace("http://localhost:8000", base_url) for word in shlex.split(command)]
    argv = [word.replace("localhost:8000", base_url) for word in argv]
    answer = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=60).stdout
    expected = "\n".join(shown)
    if "…" in expected:  # abridged in the README: what it shows appears, in that order
        text, position = compact(answer), 0
        for fragment in compact(expected).split("…"):
            found = text.find(fragment.strip(" ,\n"), position)
            assert found >= 0, fragment
            position = found + len(fragment.strip(" ,\n"))
        return
    got, want = json.loads(answer), json.loads(expected)
    if "uptime_seconds" in want:  # /healthz: the shape, not this moment's numbers
        assert set(got) == set(want)
        assert set(got["cache"]) == set(want["cache"])
        return
    assert got == want
