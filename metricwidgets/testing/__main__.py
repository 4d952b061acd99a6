"""``python -m metricwidgets.testing [--port P] [--demo-jobs]``: serve the SageMaker stand-in.

It prints the endpoint URL as the first line of stdout (``export METRICWIDGETS_ENDPOINT_URL=...``),
then the ``export NAME=value`` lines that point a shell (and the Jupyter started from it) at
it, and serves until killed. The command lives here, not in ``standin.py``: run as a script,
that module would be imported a second time by the demo jobs it serves.
"""

from __future__ import annotations

import signal
import threading

from metricwidgets.testing.demo_jobs import (
    DEMO_JOBS,
    create_demo_jobs,
    credentials_note,
    export_lines,
    replay_live_job,
)
from metricwidgets.testing.standin import StandIn

__all__ = ["main"]


def _announce(aws: StandIn) -> None:
    for line in export_lines(aws.env) + credentials_note(aws.endpoint_url):
        print(line)
    print(flush=True)


def main(argv=None) -> None:
    """Serve the stand-in on 127.0.0.1 until Ctrl-C; print how a shell points at it."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m metricwidgets.testing",
                                     description="A SageMaker stand-in on moto (127.0.0.1).")
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--demo-jobs", action="store_true",
                        help="play a few jobs in different states")
    args = parser.parse_args(argv)
    # Ctrl-C (or a kill) asks for the end; it never raises inside a request or a lock that a
    # player or the server thread then waits on: the stop below ends them in order.
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    aws = StandIn(port=args.port).start()
    _announce(aws)
    try:
        if args.demo_jobs and not stop.is_set():
            create_demo_jobs(aws)
            print(f"# jobs: {' '.join(DEMO_JOBS)}", flush=True)
            replay_live_job(aws, stop)
        # (a timeout: Event.wait with none would not return to run the signal handler on
        # every platform)
        while not stop.wait(1.0):
            pass
    finally:
        aws.stop()


if __name__ == "__main__":
    main()
