"""How long `project import` of N rows takes, and how long it holds SQLite's write lock.

Writes a projects CSV of N rows (GBK, Chinese headers, three plan tasks each in the plan
file beside it), then runs `ipflow project import` on a fresh SQLite database while a probe
connection tries `BEGIN IMMEDIATE` (with no wait) every few milliseconds, as the nightly
check would ask for the lock: the longest stretch in which the probe was refused is the
time the import held the lock. Prints both, and the longest wait the probe saw for the
lock to be free. Usage: .venv/bin/python -m bench.import_lock [-n 10000]
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IPFLOW = str(ROOT / ".venv" / "bin" / "ipflow")
PROBE_SECONDS = 0.005
TASKS = (
    ("2027-01-01", "2027-04-30"),
    ("2027/5/1", "2027/8/31"),
    ("2027年9月1日", "2027年12月31日"),
)


def write_files(folder: Path, rows: int) -> Path:
    """A projects file of `rows` strong_enterprise applications and its plan file, in GBK."""
    projects = folder / "申报.csv"
    with projects.open("w", newline="", encoding="gbk") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["类别", "项目名称", "承担单位", "开始日期", "结束日期", "申请金额", "申报编号"]
        )
        for k in range(rows):
            writer.writerow(
                [
                    "知识产权强企培育项目",
                    f"批量申报项目{k:06d}",
                    f"批量申报单位{k % (rows // 3 + 1):06d}",
                    "2027-01-01",
                    "2027-12-31",
                    "20万",
                    f"2027-QQ-{k:06d}",
                ]
            )
    with (folder / "申报.plan.csv").open("w", newline="", encoding="gbk") as out:
        writer = csv.writer(out)
        writer.writerow(["项目", "任务", "开始", "截止", "权重"])
        for k in range(rows):
            for seq, (start, due) in enumerate(TASKS, start=1):
                writer.writerow([k + 2, f"任务{seq}", start, due, seq])
    return projects


class Probe(threading.Thread):
    """Asks for the write lock without waiting, again and again; records the refused stretches."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.stop = threading.Event()
        self.longest = 0.0
        self.tries = 0

    def run(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, timeout=0)
        locked_since: float | None = None
        while not self.stop.is_set():
            self.tries += 1
            try:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("ROLLBACK")
                if locked_since is not None:
                    self.longest = max(self.longest, time.perf_counter() - locked_since)
                    locked_since = None
            except sqlite3.OperationalError:
                locked_since = locked_since or time.perf_counter()
            time.sleep(PROBE_SECONDS)
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="rows to import")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "ipflow.db"
        url = f"sqlite:///{database}"
        subprocess.run([IPFLOW, "--db", url, "db", "upgrade"], check=True, capture_output=True)
        projects = write_files(Path(folder), args.n)
        probe = Probe(database)
        probe.start()
        started = time.perf_counter()
        done = subprocess.run(
            [IPFLOW, "--db", url, "project", "import", str(projects), "--json"],
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - started
        probe.stop.set()
        probe.join()
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        size = projects.stat().st_size / 1024 / 1024
        print(
            f"rows imported:            {args.n} ({size:.1f} MB CSV in GBK, {3 * args.n} plan rows)"
        )
        print(f"import, start to end:     {elapsed:.2f} s")
        print(f"write lock held at most:  {probe.longest:.2f} s (probe tried {probe.tries} times)")


if __name__ == "__main__":
    main()
