"""``make demo``: the main job on bundled fixtures, section by section.

Each section is a module with ``run(out)``; a section that needs a provider starts its own local
sandbox on 127.0.0.1 and stops it when done.
"""

from __future__ import annotations

import importlib
import sys
from typing import TextIO

_SECTIONS = (
    "penalty.demos.engine",
    "penalty.demos.preview",
    "penalty.demos.payments",
    "penalty.demos.gotadi",
    "penalty.demos.batch",
)


def main(out: TextIO = sys.stdout) -> int:
    """Run every demo section in order."""
    for name in _SECTIONS:
        importlib.import_module(name).run(out)
        out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
