"""Tenant files on S3, against a local S3-compatible server (moto's server mode)."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
import requests
from django.core.files.base import ContentFile

from kernel.files import TenantS3Storage, delete_tenant_files

BUCKET = "facilis-test-files"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = Path(sys.executable).parent / "moto_server"
    proc = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(endpoint, timeout=0.5)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("moto_server did not start")
    boto3.client("s3", endpoint_url=endpoint, **CREDENTIALS).create_bucket(Bucket=BUCKET)
    yield endpoint
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def storage(s3_endpoint):
    return TenantS3Storage(
        bucket_name=BUCKET,
        endpoint_url=s3_endpoint,
        access_key=CREDENTIALS["aws_access_key_id"],
        secret_key=CREDENTIALS["aws_secret_access_key"],
        region_name=CREDENTIALS["region_name"],
        querystring_expire=300,
        signature_version="s3v4",
        file_overwrite=False,
    )


def keys(endpoint):
    listing = boto3.client("s3", endpoint_url=endpoint, **CREDENTIALS).list_objects_v2(Bucket=BUCKET)
    return sorted(item["Key"] for item in listing.get("Contents", []))


@pytest.mark.django_db
def test_upload_signed_url_and_tenant_prefix(tenants, in_tenant, storage, s3_endpoint):
    with in_tenant(tenants.a):
        name = storage.save("photos/door.jpg", ContentFile(b"\xff\xd8\xff jpeg bytes"))
        url = storage.url(name)
        assert storage.exists(name)
    assert f"tenants/ta/{name}" in keys(s3_endpoint)
    assert all(key.startswith("tenants/") for key in keys(s3_endpoint))
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url
    fetched = requests.get(url, timeout=5)
    assert fetched.status_code == 200
    assert fetched.content == b"\xff\xd8\xff jpeg bytes"
    # (moto does not enforce signatures, so a tampered link is not tested here; the link's
    # expiry and signature are SigV4, as AWS requires.)

    with in_tenant(tenants.b):
        assert not storage.exists(name)
        other = storage.save("photos/door.jpg", ContentFile(b"B's photo"))
    assert f"tenants/tb/{other}" in keys(s3_endpoint)
    with in_tenant(tenants.a):
        assert storage.open(name).read() == b"\xff\xd8\xff jpeg bytes"


@pytest.mark.django_db
def test_deleting_a_tenant_removes_its_prefix_only(tenants, in_tenant, storage, s3_endpoint):
    with in_tenant(tenants.a):
        storage.save("a.txt", ContentFile(b"a"))
    with in_tenant(tenants.b):
        storage.save("b.txt", ContentFile(b"b"))
    delete_tenant_files("ta", storage=storage)
    remaining = keys(s3_endpoint)
    assert not [key for key in remaining if key.startswith("tenants/ta/")]
    assert "tenants/tb/b.txt" in remaining
