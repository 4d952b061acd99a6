"""The one call metricwidgets makes that changes a job: ``StopTrainingJob``.

Everything else this package calls on AWS only reads. Stopping needs the IAM permission
``sagemaker:StopTrainingJob`` and is made only when the user asked for it
(``metricwidgets watch --stop-on ...``).
"""

from __future__ import annotations

from metricwidgets.sources.aws import AWSOptions, make_client, translate_error

__all__ = ["stop_training_job"]


def stop_training_job(name: str, options: AWSOptions) -> None:
    """Ask SageMaker to stop training job ``name`` (it goes Stopping, then Stopped).

    Raises
    ------
    AWSError
        One clear line: no permission, the job not in progress any more, unreachable.
    """
    client = make_client("sagemaker", options)
    try:
        client.stop_training_job(TrainingJobName=name)
    except Exception as exc:  # botocore's errors become one line
        raise translate_error(exc, f"stopping training job {name!r}") from None
