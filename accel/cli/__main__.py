"""``python -m accel.cli``: the same as the ``accel`` command."""

import sys

from . import main

sys.exit(main())
