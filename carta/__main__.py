"""``python -m carta`` is ``carta``."""

import signal
import sys

signal.signal(signal.SIGTERM, signal.default_int_handler)  # as Ctrl+C, from the start
try:
    from .cli import main
except KeyboardInterrupt:  # stopped while Python was still loading carta
    sys.exit(130)

sys.exit(main())
