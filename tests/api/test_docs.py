"""docs/api.md's examples run as written: its curl commands, the Python client and the webhook receiver.

Against a live server on the test database, with a real API key of tenant A.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from identity import actions as identity
from identity.models import ApiKey, Role
from kernel import webhooks
from kernel.models import WebhookDelivery, WebhookEndpoint
from modules.spaces import actions as spaces
from modules.spaces.models import Room
from tests.fixtures import drain, running_worker

ROOT = Path(__file__).resolve().parents[2]
API_MD = ROOT / "docs" / "api.md"
EXAMPLES = ROOT / "docs" / "examples"
QUEUES = ("default", "outbox", "notifications", "webhooks")


def shell_examples() -> list[str]:
    text = API_MD.read_text()
    return [block for block in re.findall(r"```sh\n(.*?)```", text, re.S) if "curl" in block]


@pytest.fixture
def partner(tenants, in_tenant, url, places):
    """FACILIS_URL and FACILIS_API_KEY for tenant A (a key with the administrator role)."""
    with in_tenant(tenants.a):
        record, raw = identity.create_api_key(
            name="docs", role=Role.objects.get(code="tenant_admin"), expires_at=None
        )
    environment = {
        **os.environ,
        "FACILIS_URL": url(tenants.a.get_primary_domain().domain, "").rstrip("/"),
        "FACILIS_API_KEY": raw,
    }
    yield environment
    with in_tenant(tenants.a):
        ApiKey.objects.filter(pk=record.pk).delete()


def codes_in(answer: dict) -> set[str]:
    """Top-level error codes and mutation payload error codes of an answer."""
    found = {error["extensions"]["code"] for error in answer.get("errors", [])}
    for value in (answer.get("data") or {}).values():
        if isinstance(value, dict):
            found |= {error["code"] for error in value.get("errors") or []}
    return found


def test_the_guide_has_its_examples():
    blocks = shell_examples()
    assert len(blocks) >= 5
    assert sum("# expect error:" in block for block in blocks) >= 2


@pytest.mark.parametrize("number", range(len(shell_examples())))
def test_each_curl_example_answers_as_the_guide_says(partner, number):
    if shutil.which("curl") is None:
        pytest.fail("curl is missing: bin/setup installs Debian's curl package")
    block = shell_examples()[number]
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block], env=partner, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    expected = re.search(r"# expect error: (\w+)", block)
    if expected:
        assert expected.group(1) in codes_in(answer), answer
    else:
        assert codes_in(answer) == set(), answer
        assert all(value is not None for value in answer["data"].values()), answer


def test_the_python_client_pages_through_every_room(partner, tenants, in_tenant, places):
    with in_tenant(tenants.a):  # more than one page of 100
        floor = places["a"]["floors"][0]
        Room.objects.bulk_create(
            Room(floor=floor, code=f"X{i:03}", name=f"库房{i}", kind="store") for i in range(150)
        )
        expected = Room.objects.count()
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "graphql_client.py")],
        env=partner,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == f"{expected} rooms"
    assert "INP-5F-501 病房1 (WARD)" in lines
    assert len(set(lines[:-1])) == expected == 157  # each room once, none lost between pages


def test_the_python_client_says_when_the_key_is_refused(partner):
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "graphql_client.py")],
        env={**partner, "FACILIS_API_KEY": "fk_nope_" + "x" * 40},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "unknown here, revoked or expired" in done.stderr


def test_the_guide_shows_the_receivers_own_verify_function():
    guide = API_MD.read_text()
    snippet = re.search(r"```python\n(def verify.*?)```", guide, re.S).group(1)
    assert snippet in (EXAMPLES / "webhook_receiver.py").read_text()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_example_receiver_verifies_real_deliveries(tenants, in_tenant, committed_db):
    port = free_port()
    secret = webhooks.new_secret()
    receiver = subprocess.Popen(
        [sys.executable, str(EXAMPLES / "webhook_receiver.py"), str(port)],
        env={**os.environ, "FACILIS_WEBHOOK_SECRET": secret},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert receiver.stdout.readline().strip() == f"listening on {port}"
        with in_tenant(tenants.a):
            webhooks.save_endpoint(
                WebhookEndpoint(
                    name="示例接收端",
                    url=f"http://127.0.0.1:{port}/",
                    event_types=["spaces.*"],
                    secret=secret,
                )
            )
            campus = spaces.create_campus(code="DOC", name="文档院区")
        with running_worker(QUEUES) as broker:
            drain(broker, QUEUES)
        with in_tenant(tenants.a):
            delivery = WebhookDelivery.objects.get()
            assert (delivery.status, delivery.last_status_code) == ("delivered", 204)
            again = webhooks.redeliver(delivery)  # same event id: accepted, not printed twice
            assert again.status_code == 204
            body = webhooks.body_of(delivery)
        tampered = urllib.request.Request(
            f"http://127.0.0.1:{port}/",
            data=body.replace(b"DOC", b"DOX"),
            headers={"Facilis-Signature": webhooks.sign(secret, int(time.time()), body)},
            method="POST",
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(tampered, timeout=10)
        assert refused.value.code == 400
    finally:
        receiver.terminate()
        output, _ = receiver.communicate(timeout=10)
    lines = output.splitlines()
    assert lines == [
        f"spaces.campus.created evt_{delivery.event_id} "
        + json.dumps(
            {"code": "DOC", "id": campus.pk, "kind": "campus", "name": "文档院区"}, ensure_ascii=False
        ),
        "refused: bad signature",
    ]
