"""The S3 store `scripts/s3-test-store.sh` starts under `make test-scale` (S3_ENDPOINT, S3_ACCESS_KEY,
S3_SECRET_KEY), as the S3 tests and the replica tests over S3 use it: the driver section of a config, and the
bucket read back with curl's own SigV4 rather than through zotd."""

import os
import subprocess

BUCKET = "zotd-e2e"


def s3_driver(prefix, **overrides):
    driver = {
        "name": "s3", "region": "us-east-1", "bucket": BUCKET, "regionendpoint": os.environ.get("S3_ENDPOINT", ""),
        "rootdirectory": prefix, "accesskey": os.environ.get("S3_ACCESS_KEY", ""),
        "secretkey": os.environ.get("S3_SECRET_KEY", ""), "secure": False,
    }
    driver.update(overrides)
    return driver


def bucket_keys(prefix):
    """Every key under `prefix` in the bucket, listed by curl (ListObjectsV2, first 1,000)."""
    out = subprocess.run(
        ["curl", "-sSf", "--aws-sigv4", "aws:amz:us-east-1:s3",
         "--user", f"{os.environ['S3_ACCESS_KEY']}:{os.environ['S3_SECRET_KEY']}",
         # The gateway wants the payload's hash signed; curl 7.88 does not add it by itself.
         "-H", "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
         f"{os.environ['S3_ENDPOINT']}/{BUCKET}?list-type=2&prefix={prefix}%2F"],
        check=True, capture_output=True, text=True).stdout
    return [part.split("</Key>")[0] for part in out.split("<Key>")[1:]]
