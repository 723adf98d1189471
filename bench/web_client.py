"""The load generator of bench.web_load: signs in, then N asyncio clients per endpoint, latencies.

The password of the bench's users comes in $BENCH_PASSWORD; the figures go to stdout as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import statistics
import time
from collections import Counter
from dataclasses import asdict, dataclass, field

import httpx

SESSION_COOKIE = "ipflow_session"
TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Target:
    """One measured endpoint: its label, its path, and who asks (a page session or a token)."""

    label: str
    path: str
    who: str
    """`unit-page` (the unit user's session cookie), `unit-api` or `admin-api` (a bearer token)."""


@dataclass
class Figures:
    """What one endpoint measured: requests, failures, rate and latency percentiles in ms."""

    label: str
    path: str
    alone_ms: float
    requests: int = 0
    errors: int = 0
    rate: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    skipped: str = ""
    failures: dict[str, int] = field(default_factory=dict)
    """What went wrong, by status code or exception, and how often."""
    server_cpu_ms: float = 0.0
    """CPU time the server's processes spent per measured request (warm-up included in neither)."""


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes `pids` have used so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


async def sign_in_page(client: httpx.AsyncClient, name: str, password: str) -> str:
    """The session secret of `name`, signed in through the sign-in form as a browser does."""
    form = await client.get("/signin")
    form.raise_for_status()
    found = re.search(r'name="csrf" value="([^"]+)"', form.text)
    if found is None:
        raise SystemExit("the sign-in page has no CSRF field")
    answer = await client.post(
        "/signin",
        data={"username": name, "password": password, "csrf": found.group(1), "next": "/"},
        cookies=dict(form.cookies),
    )
    secret = answer.cookies.get(SESSION_COOKIE)
    if answer.status_code != 303 or not secret:
        raise SystemExit(f"signing in as {name} failed: {answer.status_code} {answer.text[:300]}")
    return secret


async def api_token(client: httpx.AsyncClient, name: str, password: str) -> str:
    answer = await client.post("/api/v1/token", data={"username": name, "password": password})
    if answer.status_code != 200:
        raise SystemExit(f"token for {name} failed: {answer.status_code} {answer.text[:300]}")
    token: str = answer.json()["access_token"]
    return token


def percentile(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted `ordered` (0 < share ≤ 1)."""
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


async def measure(
    client: httpx.AsyncClient,
    target: Target,
    headers: dict[str, str],
    clients: int,
    seconds: float,
    think: float,
    max_alone_s: float,
    server: list[int],
) -> Figures:
    """`clients` clients asking `target` for `seconds` (after one second of warm-up), each
    waiting about `think` seconds between requests (0: back to back).

    A request that alone takes longer than `max_alone_s` is not put under load: 50 clients
    would queue for minutes; the figures say so.
    """
    alone: list[float] = []
    for _ in range(3):
        begin = time.perf_counter()
        answer = await client.get(target.path, headers=headers)
        alone.append(time.perf_counter() - begin)
        if answer.status_code != 200:
            raise SystemExit(f"{target.path}: {answer.status_code} {answer.text[:300]}")
        if alone[-1] > max_alone_s:
            break
    figures = Figures(target.label, target.path, 1000 * statistics.median(alone))
    if statistics.median(alone) > max_alone_s:
        figures.skipped = f"one request alone takes {statistics.median(alone):.1f} s"
        return figures
    latencies: list[float] = []
    failures: Counter[str] = Counter()

    async def one_client(until: float, record: bool) -> None:
        while time.perf_counter() < until:
            if think:
                await asyncio.sleep(random.uniform(0.5, 1.5) * think)
            begin = time.perf_counter()
            try:
                answer = await client.get(target.path, headers=headers)
                failure = "" if answer.status_code == 200 else str(answer.status_code)
            except httpx.HTTPError as exc:
                failure = type(exc).__name__
            if record:
                latencies.append(time.perf_counter() - begin)
                if failure:
                    failures[failure] += 1

    warm_until = time.perf_counter() + 1.0
    await asyncio.gather(*(one_client(warm_until, False) for _ in range(clients)))
    cpu = cpu_seconds(server)
    begin = time.perf_counter()
    await asyncio.gather(*(one_client(begin + seconds, True) for _ in range(clients)))
    wall = time.perf_counter() - begin
    cpu = cpu_seconds(server) - cpu
    ordered = sorted(latencies)
    figures.requests, figures.errors = len(ordered), sum(failures.values())
    figures.failures = dict(failures)
    figures.rate = len(ordered) / wall
    figures.server_cpu_ms = 1000 * cpu / max(1, len(ordered))
    figures.p50, figures.p95, figures.p99 = (
        1000 * percentile(ordered, s) for s in (0.50, 0.95, 0.99)
    )
    return figures


async def run(args: argparse.Namespace) -> list[Figures]:
    # Idle connections are dropped before the server's keep-alive timeout (5 s) can close one
    # under a request being sent on it.
    limits = httpx.Limits(
        max_connections=args.clients, max_keepalive_connections=args.clients, keepalive_expiry=4
    )
    async with httpx.AsyncClient(
        base_url=args.base, limits=limits, timeout=TIMEOUT_S, follow_redirects=False
    ) as client:
        password = os.environ["BENCH_PASSWORD"]
        secret = await sign_in_page(client, args.unit, password)
        unit_token = await api_token(client, args.unit, password)
        admin_token = await api_token(client, args.admin, password)
        headers = {
            "unit-page": {"Cookie": f"{SESSION_COOKIE}={secret}"},
            "unit-api": {"Authorization": f"Bearer {unit_token}"},
            "admin-api": {"Authorization": f"Bearer {admin_token}"},
        }
        results = []
        for target in (Target(**t) for t in json.loads(args.targets)):
            results.append(
                await measure(
                    client,
                    target,
                    headers[target.who],
                    args.clients,
                    args.seconds,
                    args.think,
                    args.max_alone,
                    [int(p) for p in args.server_pids.split(",") if p],
                )
            )
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True, help="the server's address, http://host:port")
    parser.add_argument("--targets", required=True, help="JSON list of {label, path, who}")
    parser.add_argument("--unit", required=True)
    parser.add_argument("--admin", required=True)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--think", type=float, default=0.0, help="seconds between requests")
    parser.add_argument("--max-alone", type=float, default=5.0)
    parser.add_argument("--server-pids", default="", help="the server's processes, for CPU time")
    args = parser.parse_args()
    results = asyncio.run(run(args))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "targets": [asdict(f) for f in results],
                "client_cpu_s": usage.ru_utime + usage.ru_stime,
            }
        )
    )


if __name__ == "__main__":
    main()
