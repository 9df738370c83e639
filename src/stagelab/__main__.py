"""``python -m stagelab``: the same as the ``stagelab`` command."""

import sys

from .cli import main

sys.exit(main())
