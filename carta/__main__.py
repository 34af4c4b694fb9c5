"""``python -m carta`` is ``carta``."""

import sys

from .cli import main

sys.exit(main())
