#!/usr/bin/env python3
"""Thin entry point: ``python build.py [command ...]`` is ``carta [command ...]``;
``python build.py`` alone builds ``content/`` into ``site/``."""

import sys

from carta.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
