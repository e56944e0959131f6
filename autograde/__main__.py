"""`python -m autograde ...`: see autograde/cli.py."""

from autograde.cli import main

raise SystemExit(main())
