"""Refreshing a running job's metrics: TrainingJobAnalytics' way versus our poller.

One moto stand-in, one job: one hour, 10 metrics, one line a second on each of 2 instances,
refreshed every 10 s (360 refreshes). The hour is simulated: the job started an hour ago and
each refresh first writes the next 10 s of lines (with their real timestamps) to CloudWatch
Logs and the matching metrics to CloudWatch, then both readers refresh.

(a) ``sagemaker.analytics.TrainingJobAnalytics``: one ``GetMetricStatistics`` per metric,
    ``Period=60``, ``Average``, window job start .. now + 60 s, all of it every refresh.
(b) our :class:`~metricwidgets.polling.watch.Watch` over CloudWatch Logs, incremental.

Measured for each: API calls and bytes on the wire (request + response bodies) per refresh
and in total, points delivered, the cost of an idle refresh (no new line), and for (b) the
latency from a line written to its point in the store, polled live by the real Scheduler.

Notes: the stand-in publishes, per metric and 10 s, the mean of that 10 s's 20 values (not
each value): a 60-second ``Average`` is the same either way, (a)'s answers are the same size,
and moto's statistics stay fast. The process-wide call budget is lifted for (b) so that the
simulated hour runs in minutes (it would wait 10 s per refresh otherwise, as a real job does).

Run: ``python -m tests.benchmarks sources``.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import boto3

from metricwidgets.polling.watch import Watch
from metricwidgets.testing.standin import StandIn
from tests.benchmarks import lifted_budget
from metricwidgets.options import MetricOptions

METRICS = [f"m{i}" for i in range(10)]
DEFINITIONS = [{"Name": name, "Regex": rf" {name}=([-0-9.e]+);"} for name in METRICS]
HOSTS = ("algo-1", "algo-2")
SECONDS = 3600
REFRESH = 10


class Meter:
    """Calls and bytes of every client made from :attr:`session`."""

    def __init__(self, region: str):
        self.session = boto3.Session(aws_access_key_id="testing",
                                     aws_secret_access_key="testing", region_name=region)
        self.calls = 0
        self.bytes = 0
        self._lock = threading.Lock()
        self.session.events.register_last("before-send", self._sent)
        self.session.events.register("after-call", self._received)

    def _sent(self, request, **_):
        body = request.body or b""
        with self._lock:
            self.calls += 1
            self.bytes += len(body if isinstance(body, bytes) else str(body).encode())

    def _received(self, http_response, **_):
        with self._lock:
            self.bytes += len(http_response.content or b"")

    def mark(self) -> tuple[int, int]:
        with self._lock:
            return self.calls, self.bytes


def _line(second: int, host_index: int) -> tuple[str, list[float]]:
    values = [round(1.0 / (1 + second / 600) + 0.01 * k + 0.001 * host_index, 6)
              for k in range(len(METRICS))]
    text = f"[{second}] " + " ".join(f"{m}={v};" for m, v in zip(METRICS, values))
    return text, values


def _write_block(aws: StandIn, job: str, start: float, first: int, count: int) -> None:
    sums = [0.0] * len(METRICS)
    for index, host in enumerate(HOSTS):
        lines, stamps = [], []
        for second in range(first, first + count):
            text, values = _line(second, index)
            lines.append(text)
            stamps.append(start + second)
            sums = [s + v for s, v in zip(sums, values)]
        aws.write_logs(job, host, lines, stamps, stream_epoch=int(start))
    n = count * len(HOSTS)
    aws.put_metrics(job, {m: [(start + first + count / 2, s / n)] for m, s in zip(METRICS, sums)})


def _analytics_refresh(client, job: str, start: float, now: float) -> int:
    """TrainingJobAnalytics' refresh: every metric, the whole window, every time."""
    points = 0
    for metric in METRICS:
        answer = client.get_metric_statistics(
            Namespace="/aws/sagemaker/TrainingJobs", MetricName=metric,
            Dimensions=[{"Name": "TrainingJobName", "Value": job}],
            StartTime=dt.datetime.fromtimestamp(start, dt.timezone.utc),
            EndTime=dt.datetime.fromtimestamp(now + 60, dt.timezone.utc),
            Period=60, Statistics=["Average"])
        points += len(answer["Datapoints"])
    return points


def _latency(aws: StandIn, samples: int = 6) -> list[tuple[float, float]]:
    """(latency, poll interval in effect) for lines written live to a job that the real
    Scheduler polls with the defaults a notebook gets. The interval in effect is the gap between
    the round that delivered the line and the round before it."""
    job = f"bench-latency-{int(time.time())}"
    aws.create_job(job, [{"Name": "probe", "Regex": r"probe=(\d+)"}])
    aws.write_logs(job, "algo-1", ["probe=0"])
    watch = Watch.for_job(job, MetricOptions.from_keywords(**aws.aws_kwargs))
    rounds: list[float] = []
    original = watch.poll_once

    def timed_round():  # instrumentation only: note when each round starts (the scheduler
        rounds.append(time.monotonic())  # calls the watch's poll_once, looked up each time)
        return original()

    watch.poll_once = timed_round
    arrived: dict[float, float] = {}
    seen = threading.Event()

    def listener(w):
        for snap in w.store.snapshots():
            for value in snap.value.tolist():
                if value not in arrived:
                    arrived[value] = time.monotonic()
                    seen.set()

    watch.add_listener(listener)
    results = []
    try:
        seen.wait(30)
        for k in range(1, samples + 1):
            time.sleep(1.0 + (k % 4))  # lines come 1-4 s apart
            seen.clear()
            written = time.monotonic()
            aws.write_logs(job, "algo-1", [f"probe={k}"])
            if not seen.wait(30) or float(k) not in arrived:
                results.append((float("inf"), 0.0))
                continue
            done = arrived[float(k)]
            started = [t for t in rounds if t <= done]
            interval = started[-1] - started[-2] if len(started) > 1 else 0.0
            results.append((done - written, interval))
    finally:
        watch.close()
    return results


def main() -> None:
    with lifted_budget(), StandIn() as aws:
        _run(aws)


def _run(aws: StandIn) -> None:
    began = time.monotonic()
    job = f"bench-hour-{int(time.time())}"
    start = time.time() - SECONDS - 60
    aws.create_job(job, DEFINITIONS, instance_count=len(HOSTS), started_seconds_ago=SECONDS + 60)
    aws.set_status(job, "InProgress", "Training")

    meter_a, meter_b = Meter(aws.region), Meter(aws.region)
    analytics = meter_a.session.client("cloudwatch", endpoint_url=aws.endpoint_url)
    watch = Watch.for_job(job, MetricOptions.from_keywords(session=meter_b.session, endpoint_url=aws.endpoint_url, region=aws.region), start=False, describe_interval=REFRESH)
    per_a, per_b, points_a = [], [], 0
    refreshes = SECONDS // REFRESH
    for k in range(refreshes):
        _write_block(aws, job, start, k * REFRESH, REFRESH)
        now = start + (k + 1) * REFRESH
        before = meter_a.mark()
        points_a = _analytics_refresh(analytics, job, start, now)
        after = meter_a.mark()
        per_a.append((after[0] - before[0], after[1] - before[1]))
        before = meter_b.mark()
        watch.poll_once()
        after = meter_b.mark()
        per_b.append((after[0] - before[0], after[1] - before[1]))
    points_b = len(watch.store)

    idle = 10
    before_a, before_b = meter_a.mark(), meter_b.mark()
    for _ in range(idle):
        _analytics_refresh(analytics, job, start, start + SECONDS)
        watch.poll_once()
    idle_a = [(x - y) / idle for x, y in zip(meter_a.mark(), before_a)]
    idle_b = [(x - y) / idle for x, y in zip(meter_b.mark(), before_b)]
    watch.close()
    simulated = time.monotonic() - began

    latencies = _latency(aws)

    total_a = [sum(x) for x in zip(*per_a)]
    total_b = [sum(x) for x in zip(*per_b)]
    print(f"one-hour job, {len(METRICS)} metrics, 1 line/s on {len(HOSTS)} instances, "
          f"refreshed every {REFRESH} s ({refreshes} refreshes; simulated in {simulated:.0f} s)")
    print(f"{'':34}{'(a) TrainingJobAnalytics':>26}{'(b) metricwidgets':>20}{'a/b':>9}")

    def row(label, a, b, fmt="{:,.0f}"):
        ratio = a / b if b else float("inf")
        print(f"{label:34}{fmt.format(a):>26}{fmt.format(b):>20}{ratio:>8.1f}x")

    row("calls, first refresh", per_a[0][0], per_b[0][0])
    row("calls, last refresh", per_a[-1][0], per_b[-1][0])
    row("calls, total", total_a[0], total_b[0])
    row("bytes, first refresh", per_a[0][1], per_b[0][1])
    row("bytes, middle refresh", per_a[refreshes // 2][1], per_b[refreshes // 2][1])
    row("bytes, last refresh", per_a[-1][1], per_b[-1][1])
    row("bytes, total", total_a[1], total_b[1])
    row("points delivered", points_a, points_b)
    row("bytes per delivered point", total_a[1] / max(points_a, 1), total_b[1] / max(points_b, 1),
        "{:,.1f}")
    row("idle refresh: calls", idle_a[0], idle_b[0], "{:,.1f}")
    row("idle refresh: bytes", idle_a[1], idle_b[1])
    growth_a = per_a[-1][1] / per_a[0][1]
    growth_b = per_b[-1][1] / per_b[0][1]
    print(f"bytes per refresh, last / first: (a) {growth_a:.1f}x   (b) {growth_b:.2f}x "
          f"(target: (b) <= 2x)")
    print(f"one refresh at the end of the hour: (a) costs {per_a[-1][1] / per_b[-1][1]:.1f}x "
          f"the bytes of (b) (target >= 5x)")
    print(f"bytes per delivered point: (b) is "
          f"{(total_a[1] / max(points_a, 1)) / (total_b[1] / max(points_b, 1)):.0f}x lower "
          f"(target >= 100x); (b) delivers {points_b:,} points (every logged value: "
          f"{SECONDS * len(HOSTS) * len(METRICS):,}), (a) {points_a:,} minute averages")
    worst = max(latencies)
    print("latency line -> store (live, default poll settings): "
          + ", ".join(f"{lat:.2f} s (interval {iv:.1f} s)" for lat, iv in latencies))
    print(f"worst: {worst[0]:.2f} s with a {worst[1]:.1f} s interval "
          f"(target: <= interval + 1 s: {'met' if all(late <= i + 1 for late, i in latencies) else 'MISSED'})")


if __name__ == "__main__":
    main()
