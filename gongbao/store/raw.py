"""The raw store: where bulletin files come from, a local folder or a prefix in object storage.

`GONGBAO_RAW_DIR` is a folder (`raw/`, the default) or `s3://BUCKET/PREFIX/`, reached with the
same `GONGBAO_S3_*` settings as a ducklake warehouse's data. Either way `list_raw` gives
bulletin_id → a file-like entry with the few things the run and the sensor ask of a file:
`name`, `stat()` (size and modification time), `read_bytes()`, and for objects their `uri`
and `etag`, which lineage records. Entries are plain values (picklable): the
parsing workers read an object themselves, each with a client of its own.

boto3 (Apache-2.0, the AWS SDK; botocore ~32 MB): the S3 client that gives ETags in its
listings and `IfMatch` on reads. An object is read with the ETag it was listed with:
if it was replaced in between, the read fails (`changed_while_read`) and the next tick takes
the new bytes, instead of recording one version's ETag with another's bytes.
"""
from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import SimpleNamespace

from parsing.errors import BulletinError
from parsing.ids import bulletin_id

S3_SCHEME = "s3://"


@dataclass(frozen=True)
class S3Access:
    """How to reach the object storage (GONGBAO_S3_*); no secret in its repr."""
    endpoint: str = ""  # http(s)://host:port; empty: AWS
    access_key_id: str = ""
    secret_access_key: str = ""
    region: str = "us-east-1"

    def __repr__(self) -> str:
        return f"S3Access(endpoint={self.endpoint!r}, access_key_id={self.access_key_id!r})"


@dataclass(frozen=True)
class RawObject:
    """A bulletin file in object storage, as its listing described it."""
    bucket: str
    key: str
    size: int
    mtime_ns: int
    etag: str
    access: S3Access

    @property
    def name(self) -> str:
        return PurePosixPath(self.key).name

    @property
    def stem(self) -> str:
        return PurePosixPath(self.key).stem

    @property
    def uri(self) -> str:
        return f"{S3_SCHEME}{self.bucket}/{self.key}"

    def stat(self) -> SimpleNamespace:
        return SimpleNamespace(st_size=self.size, st_mtime_ns=self.mtime_ns)

    def read_bytes(self) -> bytes:
        """The bytes of the version listed (IfMatch on its ETag)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return s3_client(self.access).get_object(Bucket=self.bucket, Key=self.key, IfMatch=self.etag)["Body"].read()
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code", "")
            if code in ("PreconditionFailed", "412", "NoSuchKey", "404"):
                raise BulletinError("changed_while_read", f"{self.name}: {self.uri} was replaced or removed "
                                                          f"after it was listed ({code}); the next run reads it "
                                                          f"again") from err
            raise OSError(f"{self.uri}: {code or err}") from err
        except BotoCoreError as err:  # no connection, a timeout: as a file that cannot be read
            raise OSError(f"{self.uri}: {err}") from err

    def __str__(self) -> str:
        return self.uri


def access_of(settings) -> S3Access:
    """The GONGBAO_S3_* settings (gongbao.settings.Settings) as the client takes them."""
    return S3Access(endpoint=settings.s3_endpoint, access_key_id=settings.s3_access_key_id,
                    secret_access_key=settings.s3_secret_access_key, region=settings.s3_region)


def is_s3(location: str | Path) -> bool:
    return str(location).startswith(S3_SCHEME)


def split_s3(uri: str) -> tuple[str, str]:
    """s3://BUCKET/PREFIX → (BUCKET, PREFIX with no leading slash; '' for the whole bucket)."""
    bucket, _, prefix = uri[len(S3_SCHEME):].partition("/")
    if not bucket:
        raise ValueError(f"{uri!r}: expected s3://BUCKET/PREFIX/")
    return bucket, prefix


@functools.lru_cache(maxsize=8)
def s3_client(access: S3Access):
    """One boto3 client per process and access (a client is thread-safe; a session is not)."""
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3", endpoint_url=access.endpoint or None, region_name=access.region or "us-east-1",
        aws_access_key_id=access.access_key_id or None, aws_secret_access_key=access.secret_access_key or None,
        config=Config(retries={"max_attempts": 5, "mode": "standard"}, s3={"addressing_style": "path"},
                      connect_timeout=10, read_timeout=60))


def list_objects(uri: str, access: S3Access) -> dict[str, RawObject]:
    """bulletin_id → object for every object directly under the prefix (not in sub-prefixes, as
    a folder's files are listed without its sub-folders), hidden names included as files are:
    only names starting with '.' are left out."""
    bucket, prefix = split_s3(uri)
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    out: dict[str, RawObject] = {}
    pages = s3_client(access).get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix, Delimiter="/")
    for page in pages:
        for item in page.get("Contents", []):
            name = item["Key"][len(prefix):]
            if not name or name.startswith(".") or name.endswith("/"):
                continue
            out[bulletin_id(name)] = _described(bucket, item["Key"], item["Size"], item, access)
    return dict(sorted(out.items(), key=lambda kv: kv[1].key))


def list_raw(location: str | Path, access: S3Access | None = None) -> dict[str, Path | RawObject]:
    """bulletin_id → file for every file of the raw store but hidden ones. Files of any kind are
    listed on purpose: a file no reader takes must be reported as an ingest error, not
    silently ignored."""
    if is_s3(location):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return list_objects(str(location), access or S3Access())
        except (BotoCoreError, ClientError, ValueError) as err:
            raise listing_error(str(location), err) from err
    out: dict[str, Path | RawObject] = {}
    for path in sorted(Path(location).iterdir()):
        if path.is_file() and not path.name.startswith("."):
            out[bulletin_id(path.name)] = path
    return out


# Up to this many bulletins, a run finds its files by name (a stat, or a HEAD request, a
# candidate) instead of listing the store: listing 20,000 files was 0.9 s of a 2.5 s ingest.
FIND_BY_NAME = 100


def find_raw(location: str | Path, keys: Collection[str], access: S3Access | None = None
             ) -> dict[str, Path | RawObject] | None:
    """bulletin_id → file for `keys`, found by the names that give those ids (`KEY.txt`, then
    `KEY` itself: the one a listing keeps when both exist, as it sorts later), without listing
    the store; None when a key is not found so (a name slugged into its id, a file gone): the
    caller lists the store then, which also says which files are gone."""
    if len(keys) > FIND_BY_NAME:
        return None
    out: dict[str, Path | RawObject] = {}
    for key in keys:
        for name in (f"{key}.txt", key):
            if name.startswith(".") or bulletin_id(name) != key:
                continue
            found = _entry(location, name, access)
            if found is not None:
                out[key] = found
                break
        else:
            return None
    return out


def _entry(location: str | Path, name: str, access: S3Access | None) -> Path | RawObject | None:
    """The file NAME of the raw store, or None if there is none."""
    if not is_s3(location):
        path = Path(location) / name
        return path if path.is_file() else None
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, prefix = split_s3(str(location))
    key = f"{prefix.rstrip('/')}/{name}" if prefix.strip("/") else name
    try:
        return get_object(f"{S3_SCHEME}{bucket}/{key}", access or S3Access())
    except ClientError as err:
        if (err.response or {}).get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise listing_error(str(location), err) from err
    except (BotoCoreError, ValueError) as err:
        raise listing_error(str(location), err) from err


def put_object(uri: str, name: str, data: bytes, access: S3Access) -> str:
    """Put `data` as NAME under the prefix of `uri`; its s3:// URI."""
    bucket, prefix = split_s3(uri)
    key = f"{prefix.rstrip('/')}/{name}" if prefix.strip("/") else name
    s3_client(access).put_object(Bucket=bucket, Key=key, Body=data)
    return f"{S3_SCHEME}{bucket}/{key}"


def get_object(uri: str, access: S3Access) -> RawObject:
    """The object at `uri` as a raw entry (its size, time and ETag from a HEAD request)."""
    bucket, key = split_s3(uri)
    head = s3_client(access).head_object(Bucket=bucket, Key=key)
    return _described(bucket, key, head["ContentLength"], head, access)


def _described(bucket: str, key: str, size: int, said: dict, access: S3Access) -> RawObject:
    """An object as a listing entry or a HEAD response describes it (LastModified, quoted ETag)."""
    return RawObject(bucket=bucket, key=key, size=size, mtime_ns=int(said["LastModified"].timestamp() * 1e9),
                     etag=said["ETag"].strip('"'), access=access)


def source_of(entry: Path | RawObject) -> dict[str, str | None]:
    """The lineage columns naming where a version came from: an object's URI and ETag; nothing
    for a local file (its name is `source_file`; no machine's paths in open data)."""
    if isinstance(entry, RawObject):
        return {"source_uri": entry.uri, "source_etag": entry.etag}
    return {"source_uri": None, "source_etag": None}


class RawStoreError(OSError):
    """The raw store cannot be listed (no such bucket, refused credentials, no server)."""


def listing_error(location: str, err: Exception) -> RawStoreError:
    code = (getattr(err, "response", None) or {}).get("Error", {}).get("Code", "")
    reason = {"NoSuchBucket": "no such bucket", "InvalidAccessKeyId": "the access key is not known",
              "SignatureDoesNotMatch": "the secret key does not match", "AccessDenied": "access denied"}.get(
        code, f"{type(err).__name__}: {err}")
    return RawStoreError(f"raw store {location}: {reason} (GONGBAO_RAW_DIR, GONGBAO_S3_*)")
