"""`[web] threads`: how many requests one server worker works on at once; the rest wait."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.web_support import web_client
from workflow.core.config import Settings, WebSettings
from workflow.core.context import AppContext


@pytest.mark.parametrize("threads", [1, 3])
def test_a_worker_works_on_at_most_its_threads_requests_at_once(
    ctx: AppContext, threads: int
) -> None:
    client = web_client(ctx, Settings(web=WebSettings(threads=threads)))
    lock, running, most = threading.Lock(), [0], [0]

    def busy() -> dict[str, int]:  # a sync endpoint, run in the worker's threads as pages are
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.2)
        with lock:
            running[0] -= 1
        return {}

    client.app.add_api_route("/busy", busy)  # type: ignore[attr-defined]
    with client, ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: client.get("/busy").status_code, range(6)))
    assert answers == [200] * 6
    assert most[0] == threads


def test_a_number_of_threads_below_one_is_refused(ipflow: Cli, tmp_path: Path) -> None:
    config = tmp_path / "ipflow.toml"
    config.write_text("[web]\nthreads = 0\n", encoding="utf-8")
    refused = ipflow("--config", str(config), "serve")
    assert refused.exit_code == 1
    assert "配置项[web].threads须为正整数，得到0" in refused.stderr
    assert "Traceback" not in refused.stderr
