"""Tenant provisioning and the cost of migrating every schema.

    .venv/bin/python benchmarks/provision.py [--tenants 50] [--keep]

Runs against the embedded services (bin/services start; bin/setup), in the development
database. Provisions N tenants through the real action (clone of the template schema,
first administrator with an Argon2 password, default data, domain) and prints the mean
and 95th percentile seconds per tenant; then times `migrate_schemas` with nothing to
apply across all schemas, with the standard and the multiprocessing executors. The
benchmark tenants are deleted afterwards unless --keep.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "facilis.settings.dev")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from tenants import actions  # noqa: E402
from tenants.models import Tenant  # noqa: E402

PREFIX = "bench_"


def percentile(values, pct):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def remove_bench_tenants():
    for tenant in Tenant.objects.filter(schema_name__startswith=PREFIX):
        actions.delete_tenant(tenant, confirm_schema=tenant.schema_name, actor="benchmark")


def timed_migrate(executor: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "migrate_schemas",
            "--tenant",
            "--noinput",
            "-v",
            "0",
            f"--executor={executor}",
        ],
        cwd=ROOT,
        check=True,
    )
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="leave the benchmark tenants in place")
    args = parser.parse_args()

    remove_bench_tenants()
    durations = []
    for i in range(1, args.tenants + 1):
        schema = f"{PREFIX}{i:03d}"
        started = time.perf_counter()
        actions.provision_tenant(
            actions.TenantRequest(
                schema_name=schema,
                name=f"基准医院 {i:03d}",
                kind="hospital",
                domain=f"bench{i:03d}.bench.localhost",
                admin_email=f"admin{i:03d}@bench.example",
                admin_password="Bench-Password-2026",
            ),
            actor="benchmark",
        )
        durations.append(time.perf_counter() - started)

    schemas = Tenant.objects.count()  # every schema migrate_schemas visits, template included
    print(f"provisioned {len(durations)} tenants (clone of the template schema)")
    print(f"  mean  {statistics.mean(durations):.3f} s per tenant")
    print(f"  p95   {percentile(durations, 95):.3f} s per tenant   (target <= 3 s)")
    print(f"  max   {max(durations):.3f} s")
    print(f"migrate_schemas --tenant with nothing to apply, across {schemas} schemas:")
    print(f"  standard executor         {timed_migrate('standard'):.1f} s")
    print(f"  multiprocessing executor  {timed_migrate('multiprocessing'):.1f} s")
    if not args.keep:
        remove_bench_tenants()


if __name__ == "__main__":
    main()
