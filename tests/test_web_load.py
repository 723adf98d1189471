"""The web benchmark runs on a small programme and prints its figures for every endpoint."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENDPOINTS = (
    "unit page: my projects",
    "unit page: one project",
    "API projects, unit token",
    "API projects, admin, page of 100",
)


@pytest.mark.slow
def test_the_web_benchmark_serves_every_endpoint_and_prints_its_latencies() -> None:
    small = (
        "--projects",
        "300",
        "--seconds",
        "1",
        "--clients",
        "4",
        "--workers",
        "2",
        "--think",
        "0",
    )
    run = subprocess.run(
        [sys.executable, "-m", "bench.web_load", *small],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    assert "300 projects, 2 worker(s), 4 concurrent clients" in run.stdout
    for label in ENDPOINTS:
        row = re.search(rf"^{re.escape(label)} +(\d+) +(\d+)((?: +[\d.]+){{6}})", run.stdout, re.M)
        assert row, f"no figures for {label}:\n{run.stdout}"
        requests, errors = int(row.group(1)), int(row.group(2))
        rate, p50, p95, p99, alone, cpu = map(float, row.group(3).split())
        assert requests > 0 and errors == 0
        assert rate > 0 and 0 < p50 <= p95 <= p99 and alone > 0 and cpu > 0
