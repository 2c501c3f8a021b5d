"""A partner's one-file quote script: `make bench` times its cold start against `penalty quote`.

``python bench/partner_quote.py POLICY.json BOOKING.json AT`` prints the fee, the way a team
writes it before adopting penalty: pydantic models of Gotadi's JSON, pendulum for dates (the
reference implementation of `bench/reference_impl.py`, in one process from a cold start).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import reference_impl as ref


def main(argv: list[str]) -> None:
    """Print the fee of cancelling at ``argv[2]``."""
    policy, booking, at = argv
    windows = ref.parse_policy(json.loads(Path(policy).read_text(encoding="utf-8")))
    stay = ref.Stay.model_validate(json.loads(Path(booking).read_text(encoding="utf-8")))
    print(f"fee: {ref.quote(windows, stay, at)} {stay.currency}")


if __name__ == "__main__":
    main(sys.argv[1:])
