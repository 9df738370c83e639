"""`python -m stagelab` runs the `stagelab` command."""

from .cli import main

raise SystemExit(main())
