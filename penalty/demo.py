"""``make demo``: the main job on bundled fixtures, section by section.

Each section is a module with ``run(out)``; a section that needs a provider starts its own local
sandbox on 127.0.0.1 and stops it when done. Runs from a checkout or an installed wheel
(``python -m penalty.demo``); exits 1, naming the steps, when a step does not end as shown.
"""

from __future__ import annotations

import importlib
import sys
from typing import TextIO

from penalty.demos import StepFailed

_SECTIONS = (
    "penalty.demos.engine",
    "penalty.demos.preview",
    "penalty.demos.payments",
    "penalty.demos.gotadi",
    "penalty.demos.service",
    "penalty.demos.batch",
)


def main(out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run every demo section in order; 0 when every step ended as expected, else 1."""
    failed: list[str] = []
    for name in _SECTIONS:
        try:
            importlib.import_module(name).run(out)
        except StepFailed as exc:
            failed.append(f"{name}: {exc}")
            out.write(f"!! step failed: {exc}\n")
        out.write("\n")
    out.flush()
    err.writelines(f"demo step failed: {line}\n" for line in failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
