"""``python -m penalty`` runs the CLI."""

import sys

from penalty.cli import main

if __name__ == "__main__":
    sys.exit(main())
