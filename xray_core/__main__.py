"""`python -m xray_core ...` entry point."""

from xray_core.cli.main import main

raise SystemExit(main())
