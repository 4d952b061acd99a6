"""The ``metricwidgets`` command line: a thin door onto the core.

Each subcommand lives in its own module of this package, which defines ``register(subparsers)``
(adding its parser, with ``func`` set to a callable taking the parsed arguments and returning
the exit status). This module only assembles them and turns expected errors into one line on
stderr instead of a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

__all__ = ["main", "build_parser"]

#: Subcommand modules, in the order ``--help`` lists them. Each is named for its command but
#: ``follow`` (``metricwidgets watch``: it follows a job): ``watch`` is the poller's ``Watch``
#: (polling/watch.py), and no two modules of different layers share a name (tests/test_layout.py).
SUBCOMMANDS = ("parse", "check", "fetch", "jobs", "diagnose", "follow", "demo")


class _Parser(argparse.ArgumentParser):
    """argparse's parser whose usage errors are one line (its own prints the whole usage
    first, over several lines); subcommands' parsers are of this class too."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} "
                     f"(see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand registered."""
    parser = _Parser(
        prog="metricwidgets",
        description="Parse, check and fetch training-job metrics the way SageMaker does.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in SUBCOMMANDS:
        module = importlib.import_module(f"metricwidgets.cli.{name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the process exit status."""
    from metricwidgets.errors import UserFacingError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserFacingError as exc:
        print(f"metricwidgets {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `metricwidgets parse big.log | head` is not an error
        return 0
    except KeyboardInterrupt:
        return 130
