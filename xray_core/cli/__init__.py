"""The command line: `python -m xray_core ...`, one module per command family."""
