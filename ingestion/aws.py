"""AWS through boto3: clients configured the standard AWS way, and AWS failures turned into
this package's errors (``aws_call``): ``UserError`` (exit 2) when the operator must fix
something first (credentials, a profile, a region, access), else ``AwsError`` (exit 1: the
next run retries). ``s3`` and ``glue`` make every AWS call through it, so no other module
needs to know botocore's errors.

The endpoint, region and credentials come from the standard AWS configuration: environment
variables (``AWS_ACCESS_KEY_ID``, ``AWS_REGION``, ``AWS_ENDPOINT_URL``/``AWS_ENDPOINT_URL_S3``
...), ``AWS_PROFILE`` and the shared config files, instance or task roles.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import boto3
from boto3.exceptions import Boto3Error
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
)

from ingestion.errors import AwsError, UserError

_DENIED = {
    "AccessDenied",
    "403",
    "Forbidden",
    "AllAccessDisabled",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
    "TokenRefreshRequired",
}
_CREDENTIALS = (
    "AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run "
    "with an instance or task role"
)


def configuration_problem(what: str, exc: Exception) -> UserError | None:
    """A failure the operator must fix (credentials, permissions, a profile), as UserError."""
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return UserError(f"{what}: no usable {_CREDENTIALS}")
    if isinstance(exc, ProfileNotFound):
        return UserError(f"{what}: {exc}: set AWS_PROFILE to a profile in ~/.aws/config")
    if isinstance(exc, NoRegionError):
        return UserError(f"{what}: no AWS region: set AWS_REGION (e.g. eu-west-1)")
    if isinstance(exc, ClientError) and error_code(exc) in _DENIED:
        return UserError(
            f"{what}: access denied ({error_code(exc)}): check the {_CREDENTIALS}, and that they "
            "may read the source and write the lake (docs/iam/)"
        )
    return None


@contextmanager
def aws_call(what: str) -> Iterator[None]:
    """Turn a boto3/botocore failure of ``what`` into AwsError (exit 1: the next run retries),
    or UserError (exit 2) when the operator must fix something first (credentials, access).

    Every call to AWS goes through this, so no other module needs to know botocore's errors.
    """
    try:
        yield
    except (BotoCoreError, ClientError, Boto3Error) as exc:
        problem = configuration_problem(what, exc)
        if problem is not None:
            raise problem from exc
        raise AwsError(f"{what}: {exc}") from exc


def client(service: Literal["s3", "glue"] = "s3") -> Any:
    """A boto3 client configured the standard AWS way, with standard retries."""
    try:
        session = boto3.session.Session()
        config = Config(retries={"mode": "standard"})
        if service == "glue":
            return session.client("glue", config=config)
        return session.client("s3", config=config)
    except BotoCoreError as exc:
        raise configuration_problem("AWS configuration", exc) or UserError(
            f"AWS configuration: {exc}: check AWS_PROFILE, AWS_REGION and AWS_ENDPOINT_URL"
        ) from exc


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
