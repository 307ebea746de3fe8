"""S3 as the DMS source and as the lake, through boto3 only (clients and AWS errors: ``aws``).

Nothing is read whole into memory: objects are streamed, listings are paginated, lake files
are uploaded from a local staged file (multipart above 8 MB), so a file appears under its key
only when complete.
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import uuid
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from botocore.exceptions import BotoCoreError, ClientError

from ingestion import faults
from ingestion.aws import aws_call, client, configuration_problem, error_code
from ingestion.errors import AwsError, ObjectVanishedError, UserError
from ingestion.sources import SourceObject
from ingestion.storage import STAGING_PREFIX, check_relative

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

_GONE = {"NoSuchKey", "404", "NotFound"}
_CHANGED = {"PreconditionFailed", "412"}
_EXISTS = {"PreconditionFailed", "412", "ConditionalRequestConflict", "409"}


def is_s3_url(text: str) -> bool:
    return text.startswith("s3://")


_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def parse_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` -> (``bucket``, ``some/prefix``)."""
    form = "write it s3://bucket/prefix"
    if not is_s3_url(url):
        raise UserError(f"not an s3:// URL: {url!r}: {form}")
    bucket, _, prefix = url[len("s3://") :].partition("/")
    prefix = prefix.strip("/")
    if not bucket:
        raise UserError(f"no bucket in {url!r}: {form}")
    if not _BUCKET.match(bucket):
        raise UserError(
            f"{bucket!r} in {url!r} is not an S3 bucket name (3 to 63 lower-case letters, "
            f"digits, dots and hyphens): {form}"
        )
    if prefix:
        try:
            check_relative(prefix)
        except UserError:
            raise UserError(
                f"the prefix of {url!r} has an empty or unusual part (//, ., .., spaces or "
                f"other characters): {form} with plain folder names"
            ) from None
    return bucket, prefix


def _pages(pages: Any, what: str) -> Iterator[dict[str, Any]]:
    """A paginator's pages, with AWS failures (raised while paging) as AwsError."""
    with aws_call(what):
        yield from pages


class _Body(io.RawIOBase):
    """A botocore streaming body as a readable binary stream."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        view = memoryview(buffer)
        with aws_call("S3 read"):
            data = self._body.read(len(view))
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._body.close()
        super().close()


def _check_bucket(s3: Any, bucket: str, what: str, option: str) -> None:
    """The bucket exists and can be reached with these credentials, else a one-line error."""
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as exc:
        code = error_code(exc)
        if code in _GONE or code == "NoSuchBucket":
            raise UserError(f"{what} bucket {bucket!r} does not exist: check {option}") from exc
        if code in ("301", "PermanentRedirect"):
            raise UserError(
                f"{what} bucket {bucket!r} is in another region: set AWS_REGION to its region"
            ) from exc
        problem = configuration_problem(f"{what} bucket {bucket!r}", exc)
        raise problem or UserError(f"{what} bucket {bucket!r}: {code or exc}") from exc
    except BotoCoreError as exc:
        problem = configuration_problem(f"{what} bucket {bucket!r}", exc)
        if problem is not None:
            raise problem from exc
        raise AwsError(
            f"{what} bucket {bucket!r}: {exc} (check AWS_ENDPOINT_URL, AWS_REGION and the "
            "network; the next run retries)"
        ) from exc


class S3Source:
    """DMS output under ``s3://bucket/prefix`` (the task's BucketFolder)."""

    def __init__(self, url: str, s3: Any | None = None, page_size: int = 1000) -> None:
        self.bucket, self.prefix = parse_s3_url(url)
        self.s3 = s3 or client()
        self.page_size = page_size
        _check_bucket(self.s3, self.bucket, "source", "--source (env DMS_SOURCE)")
        self._etags: dict[str, str] = {}
        self.pages = 0
        """How many listing pages the last ``list`` read."""

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def _key(self, rel: str) -> str:
        return f"{self.prefix}/{rel}" if self.prefix else rel

    def list(self) -> Iterator[SourceObject]:
        start = f"{self.prefix}/" if self.prefix else ""
        pages = self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=start, PaginationConfig={"PageSize": self.page_size}
        )
        self.pages = 0
        for page in _pages(pages, f"S3 list s3://{self.bucket}/{start}"):
            self.pages += 1
            for item in page.get("Contents", []):
                key = str(item["Key"])
                if key.endswith("/"):
                    continue  # a folder marker
                rel = key[len(start) :]
                etag = str(item["ETag"]).strip('"')
                self._etags[rel] = etag
                modified = item["LastModified"].isoformat()
                yield SourceObject(rel, int(item["Size"]), etag, modified)

    def open(self, key: str) -> BinaryIO:
        """Stream the object; the version listed, or ObjectVanishedError if it changed."""
        extra = {"IfMatch": self._etags[key]} if key in self._etags else {}
        with aws_call(f"S3 get s3://{self.bucket}/{self._key(key)}"):
            try:
                response = self.s3.get_object(Bucket=self.bucket, Key=self._key(key), **extra)
            except ClientError as exc:
                if error_code(exc) in _GONE:
                    raise ObjectVanishedError(f"{key} was listed but is gone") from exc
                if error_code(exc) in _CHANGED:
                    raise ObjectVanishedError(f"{key} changed since it was listed") from exc
                raise
        return io.BufferedReader(_Body(response["Body"]), buffer_size=1 << 20)


class S3Store:
    """The lake under ``s3://bucket/prefix``; files are staged in a local temporary folder,
    made on the first file staged and removed with the store (``close``, or when the store is
    collected or the process exits)."""

    def __init__(self, url: str, s3: Any | None = None) -> None:
        self.bucket, self.prefix = parse_s3_url(url)
        self.s3 = s3 or client()
        _check_bucket(self.s3, self.bucket, "lake", "--lake (env LAKE_DIR)")
        self._tmp: Path | None = None
        self._remove_tmp: weakref.finalize[[str, bool], S3Store] | None = None

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")

    def _key(self, rel: str) -> str:
        rel = check_relative(rel)
        return f"{self.prefix}/{rel}" if self.prefix else rel

    def url(self, rel: str) -> str:
        return f"s3://{self.bucket}/{self._key(rel)}" if rel else self.describe()

    def staging(self, rel: str) -> Path:
        check_relative(rel)
        if self._tmp is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="dmsw-staging-"))
            self._remove_tmp = weakref.finalize(self, shutil.rmtree, str(self._tmp), True)
        return self._tmp / f"{STAGING_PREFIX}{uuid.uuid4().hex}.tmp"

    def publish(self, staged: Path, rel: str) -> None:
        key = self._key(rel)
        faults.checkpoint(f"before uploading {rel}")
        with aws_call(f"S3 upload s3://{self.bucket}/{key}"):
            self.s3.upload_file(str(staged), self.bucket, key)
        faults.checkpoint(f"after uploading {rel}")
        staged.unlink(missing_ok=True)

    def put_bytes(self, rel: str, data: bytes) -> None:
        key = self._key(rel)
        faults.checkpoint(f"before putting {rel}")
        with aws_call(f"S3 put s3://{self.bucket}/{key}"):
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=data)
        faults.checkpoint(f"after putting {rel}")

    def get_bytes(self, rel: str) -> bytes | None:
        with aws_call(f"S3 get s3://{self.bucket}/{self._key(rel)}"):
            try:
                response = self.s3.get_object(Bucket=self.bucket, Key=self._key(rel))
            except ClientError as exc:
                if error_code(exc) in _GONE:
                    return None
                raise
            data: bytes = response["Body"].read()
        return data

    def list(self, prefix: str) -> Iterator[str]:
        start = self._key(prefix) + "/" if prefix else (f"{self.prefix}/" if self.prefix else "")
        root = f"{self.prefix}/" if self.prefix else ""
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start)
        for page in _pages(pages, f"S3 list s3://{self.bucket}/{start}"):
            for item in page.get("Contents", []):
                rel = str(item["Key"])[len(root) :]
                if not rel.endswith("/"):
                    yield rel

    def delete(self, rel: str) -> None:
        faults.checkpoint(f"before deleting {rel}")
        with aws_call(f"S3 delete s3://{self.bucket}/{self._key(rel)}"):
            self.s3.delete_object(Bucket=self.bucket, Key=self._key(rel))
        faults.checkpoint(f"after deleting {rel}")

    def check_writable(self) -> None:
        """Nothing to do: the bucket was checked when opened, and a refused write is said
        where it happens (access denied: exit 2)."""

    def exists(self) -> bool:
        return self.has_files()

    def has_files(self) -> bool:
        with aws_call(f"S3 list s3://{self.bucket}/{self.prefix}"):
            start = f"{self.prefix}/" if self.prefix else ""
            response = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=start, MaxKeys=1)
        return bool(response.get("KeyCount") or response.get("Contents"))

    def create_exclusive(self, rel: str, data: bytes) -> bool:
        """A conditional put (``If-None-Match: *``): S3 refuses it when the key exists."""
        faults.checkpoint(f"before creating {rel}")
        with aws_call(f"S3 put s3://{self.bucket}/{self._key(rel)}"):
            try:
                self.s3.put_object(
                    Bucket=self.bucket, Key=self._key(rel), Body=data, IfNoneMatch="*"
                )
            except ClientError as exc:
                if error_code(exc) in _EXISTS:
                    return False
                raise
        faults.checkpoint(f"after creating {rel}")
        return True

    def clean_staging(self) -> int:
        """Abort multipart uploads a killed run left open under the lake prefix."""
        removed = 0
        start = f"{self.prefix}/" if self.prefix else ""
        with aws_call(f"S3 multipart uploads of s3://{self.bucket}/{start}"):
            response = self.s3.list_multipart_uploads(Bucket=self.bucket, Prefix=start)
            for upload in response.get("Uploads", []):
                self.s3.abort_multipart_upload(
                    Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                )
                removed += 1
        return removed

    def close(self) -> None:
        if self._remove_tmp is not None:
            self._remove_tmp()
