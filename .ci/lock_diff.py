"""Print how the running environment's packages differ from a lock: ``python lock_diff.py LOCK``.

``make test-latest`` runs it in .venv-latest/ so that a failure there reads next to what changed
(``babel 2.19.0 -> 2.20.0``); it never fails itself.
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def locked(text: str) -> dict[str, str]:
    """``{name: version}`` of every ``name==version`` line of a requirements lock that applies
    to this interpreter and platform (its marker, if any, is true here).
    """
    pins: dict[str, str] = {}
    for line in text.splitlines():
        if not line[:1].isalnum():
            continue  # a comment, a --hash line, a blank
        requirement = Requirement(line.rstrip(" \\"))
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        (pin,) = requirement.specifier
        pins[canonicalize_name(requirement.name)] = pin.version
    return pins


def installed() -> dict[str, str]:
    """``{name: version}`` of every distribution this interpreter sees."""
    return {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}


def report(pins: dict[str, str], have: dict[str, str]) -> list[str]:
    """One line per locked package whose installed version differs (or is missing)."""
    lines = []
    for name, version in sorted(pins.items()):
        now = have.get(name)
        if now != version:
            lines.append(f"  {name} {version} -> {now or '(not installed here)'}")
    return lines


def main(argv: list[str]) -> int:
    """Print the differences between ``argv[1]`` (a lock) and this environment."""
    pins = locked(Path(argv[1]).read_text(encoding="utf-8"))
    lines = report(pins, installed())
    if lines:
        sys.stdout.write(f"Newest releases that differ from {argv[1]} (locked -> here):\n")
        sys.stdout.write("".join(f"{line}\n" for line in lines))
    else:
        sys.stdout.write(f"The newest releases are exactly {argv[1]}'s.\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
