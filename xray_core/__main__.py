"""`python -m xray_core ...` entry point."""

from xray_core.cli import main

raise SystemExit(main())
