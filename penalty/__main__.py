"""``python -m penalty`` runs the CLI."""

import sys

from penalty.cli import main

sys.exit(main())
