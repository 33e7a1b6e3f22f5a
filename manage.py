#!/usr/bin/env python
"""Django's command-line utility. `openmash` wraps it; both work."""

import sys

from openmash.cli import main

if __name__ == "__main__":
    sys.exit(main(["manage", *sys.argv[1:]]))
