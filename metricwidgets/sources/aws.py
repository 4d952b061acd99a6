"""One way to reach AWS, and one place that turns botocore's errors into clear messages.

Every door accepts the same options (``region``, ``profile``, ``endpoint_url``, ``session``)
and builds one :class:`~metricwidgets.options.MetricOptions` of them, whose ``aws`` part
(:class:`AWSOptions`) every source and client here takes. Unset options were filled there
from ``METRICWIDGETS_REGION``, ``METRICWIDGETS_PROFILE`` and ``METRICWIDGETS_ENDPOINT_URL``
(so a notebook, the CLI and the server extension can all be pointed at a stand-in at once);
what is still unset falls to boto3's standard chain (``AWS_PROFILE``, ``AWS_DEFAULT_REGION``,
``~/.aws``, instance roles).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from metricwidgets.errors import AWSError, one_line

__all__ = ["AWSOptions", "make_session", "make_client", "translate_error", "is_retryable"]

_CREDENTIAL_CODES = {
    "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId",
    "UnrecognizedClientException", "InvalidSignatureException", "SignatureDoesNotMatch",
    "MissingAuthenticationToken", "IncompleteSignature", "AuthFailure",
}
_PERMISSION_CODES = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
                     "UnauthorizedAccess", "NotAuthorized"}
_NOT_FOUND_CODES = {"ResourceNotFound", "ResourceNotFoundException", "NoSuchEntity"}
_THROTTLE_CODES = {"ThrottlingException", "Throttling", "TooManyRequestsException",
                   "RequestLimitExceeded", "ProvisionedThroughputExceededException",
                   "SlowDown", "RequestThrottled", "RequestThrottledException"}


#: The HTTP status of AWS refusing us (credentials, configuration, permission): 424, a failed
#: dependency. Never 401/403, which a REST door keeps for its own login (Jupyter's).
_REFUSED = 424


@dataclass(frozen=True)
class AWSOptions:
    """Where and as whom to call AWS. Every field may be None (boto3's defaults apply).

    Parameters
    ----------
    region : str or None
    profile : str or None
        A profile of ``~/.aws/config``.
    endpoint_url : str or None
        Another endpoint for every service (a moto server in tests and the demo).
    session : boto3.Session or None
        A ready session; ``region`` and ``profile`` are then ignored.
    """

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    session: Any = None


def make_session(options: AWSOptions):
    """Return a boto3 session for ``options`` (translating a missing profile)."""
    import boto3
    import botocore.exceptions

    if options.session is not None:
        return options.session
    try:
        return boto3.Session(profile_name=options.profile, region_name=options.region)
    except botocore.exceptions.BotoCoreError as exc:
        raise translate_error(exc) from None


#: Seconds to open a connection, and to wait for each read of an answer. AWS's APIs answer
#: in well under a second; a black-holed endpoint (a proxy that accepts and never answers, a
#: firewall that drops packets) must fail within ~15 s with one line, not botocore's 60 s a
#: read times four attempts. Worst case: 2 attempts x 5 s + up to 1 s of backoff.
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 5.0


def make_client(service: str, options: AWSOptions, max_attempts: int = 1,
                retry_mode: str = "standard", **config: Any):
    """Return a boto3 client for ``service``.

    botocore's ``standard`` retry mode retries throttling, 5xx and connection errors with
    exponential backoff and full jitter; ``max_attempts`` (botocore's count of retries after
    the first attempt) bounds it so that a poller (which has its own slower backoff between
    polls) learns of a lasting fault quickly. ``config`` overrides botocore ``Config``
    fields (``connect_timeout`` and ``read_timeout`` default to :data:`CONNECT_TIMEOUT` and
    :data:`READ_TIMEOUT`).
    """
    from botocore.config import Config

    session = make_session(options)
    # timeouts may be overridden by a caller (the server bounds each request more tightly)
    config = {"connect_timeout": CONNECT_TIMEOUT, "read_timeout": READ_TIMEOUT, **config}
    cfg = Config(retries={"mode": retry_mode, "max_attempts": max_attempts}, **config)
    try:
        return session.client(service, region_name=options.region or session.region_name
                              or "us-east-1", endpoint_url=options.endpoint_url, config=cfg)
    except Exception as exc:  # botocore raises several unrelated types here
        raise translate_error(exc) from None


def _client_error_code(exc) -> tuple[str, str]:
    error = getattr(exc, "response", {}).get("Error", {})
    return str(error.get("Code", "")), one_line(str(error.get("Message", "")))


def translate_error(exc: BaseException, what: str = "") -> AWSError:
    """Turn a botocore/boto3 exception into an :class:`AWSError` a user can act on.

    Parameters
    ----------
    exc : BaseException
    what : str
        What was being done ("describing training job 'x'"), prefixed to the message.
    """
    import botocore.exceptions as bex

    prefix = f"{what}: " if what else ""
    if isinstance(exc, AWSError):
        return exc
    if isinstance(exc, (bex.NoCredentialsError, bex.PartialCredentialsError)):
        # no door-specific advice here (a sidebar has no profile=...): each door adds its own
        return AWSError(prefix + "no AWS credentials found. Configure them with `aws configure` "
                        "or the AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY "
                        "variables.", "credentials", _REFUSED)
    if isinstance(exc, bex.ProfileNotFound):
        return AWSError(prefix + f"{exc}. Check ~/.aws/config or the profile name.",
                        "credentials", _REFUSED)
    if isinstance(exc, bex.NoRegionError):
        return AWSError(prefix + "no AWS region set. Pass region=... or set AWS_DEFAULT_REGION.",
                        "config", _REFUSED)
    if isinstance(exc, (bex.EndpointConnectionError, bex.ConnectionClosedError,
                        bex.ReadTimeoutError, bex.ConnectTimeoutError)):
        return AWSError(prefix + f"AWS could not be reached ({exc}).", "unreachable", 502)
    if isinstance(exc, bex.ClientError):
        code, message = _client_error_code(exc)
        if code in _CREDENTIAL_CODES:
            return AWSError(prefix + f"the AWS credentials were refused ({code}: {message}). "
                            "Refresh them (for example `aws sso login`).", "credentials",
                            _REFUSED)
        if code in _PERMISSION_CODES:
            return AWSError(prefix + f"permission denied ({message}).", "permission",
                            _REFUSED)
        if code in _THROTTLE_CODES or "rate exceeded" in message.lower():
            return AWSError(prefix + f"AWS is throttling requests ({code}); backing off.",
                            "throttled", 429)
        if code in _NOT_FOUND_CODES or (code == "ValidationException" and (
                "not found" in message.lower() or "does not exist" in message.lower()
                or "could not find" in message.lower())):
            return AWSError(prefix + f"not found ({message}).", "not-found", 404)
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 502)
        return AWSError(prefix + f"{code}: {message}", code or "aws",
                        502 if status >= 500 else 400)
    if isinstance(exc, bex.BotoCoreError):
        return AWSError(prefix + str(exc), "aws", 502)
    return AWSError(prefix + f"{type(exc).__name__}: {exc}", "aws", 502)


def is_retryable(error: AWSError) -> bool:
    """True for errors that go away by themselves: throttling, 5xx, unreachable."""
    return error.code in ("throttled", "unreachable") or error.http_status >= 500
