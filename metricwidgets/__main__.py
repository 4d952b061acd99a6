"""``python -m metricwidgets`` runs the command-line interface."""
from metricwidgets.cli import main

raise SystemExit(main())
