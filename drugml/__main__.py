"""Allow ``python -m drugml``."""

import sys

from drugml.cli import main

if __name__ == "__main__":
    sys.exit(main())
