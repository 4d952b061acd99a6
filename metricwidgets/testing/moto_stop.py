"""What the stand-in adds to moto: ``StopTrainingJob`` (moto has none).

As SageMaker does: a job ``InProgress`` goes to ``Stopping`` at once (secondary status
``Stopping``), then to ``Stopped``; a job in any other status is refused with a
``ValidationException``. A job the stand-in is playing is stopped by its player (which writes
no more lines and ends it ``Stopped`` with its last values); any other job is marked
``Stopped`` after :data:`STOP_SECONDS`. :data:`STOP_REQUESTS` counts the calls per
(region, job), so a test can tell that a job was stopped exactly once.
"""

from __future__ import annotations

import collections
import datetime as dt
import threading
import time

__all__ = ["STOP_REQUESTS", "STOP_SECONDS", "STOP_TIMES", "install_stop"]

#: (region, job) -> how many StopTrainingJob calls were accepted.
STOP_REQUESTS: collections.Counter = collections.Counter()
#: (region, job) -> ``time.monotonic()`` of the first accepted call.
STOP_TIMES: dict = {}
#: Seconds from Stopping to Stopped for a job no player is playing.
STOP_SECONDS = 1.0


def _move(job, status: str, secondary: str, message: str) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    transitions = job.secondary_status_transitions
    if transitions and "EndTime" not in transitions[-1]:
        transitions[-1]["EndTime"] = now
    item = {"Status": secondary, "StartTime": now, "StatusMessage": message}
    if status == "Stopped":
        item["EndTime"] = now
        job.training_end_time = now
    transitions.append(item)
    job.training_job_status = status
    job.secondary_status = secondary
    job.last_modified_time = now


def install_stop() -> None:
    """Teach moto's SageMaker ``StopTrainingJob``."""
    from moto.core.responses import ActionResult
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.responses import SageMakerResponse

    from metricwidgets.testing.players import playing

    def stop_training_job(self):
        name = self._get_param("TrainingJobName")
        job = self.sagemaker_backend.training_jobs.get(name)
        if job is None:
            raise ValidationError(message=f"Requested resource not found: training job "
                                          f"'{name}' does not exist")
        if job.training_job_status != "InProgress":
            raise ValidationError(message=f"The request was rejected because the training job "
                                          f"is in status {job.training_job_status}.")
        STOP_REQUESTS[(self.region, name)] += 1
        STOP_TIMES.setdefault((self.region, name), time.monotonic())
        _move(job, "Stopping", "Stopping", "Stopping the training job")
        player = playing(self.region, name)
        if player is not None:
            player.stop_event.set()  # the player ends the job Stopped
        else:
            threading.Timer(STOP_SECONDS, _move,
                            (job, "Stopped", "Stopped", "The job was stopped.")).start()
        return ActionResult({})

    SageMakerResponse.stop_training_job = stop_training_job
