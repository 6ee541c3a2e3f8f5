"""What the benchmark scripts share about the processes they start: waiting until one answers,
its memory, a Redis of their own, and enough file descriptors for thousands of sockets."""

from __future__ import annotations

import os
import resource
import subprocess
import time
from pathlib import Path

import requests

from tests.live.conftest import free_port


def wait_answering(url: str, process: subprocess.Popen | None = None, seconds: float = 60) -> None:
    """Until GET url answers 2xx; fails early when the process exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server behind {url} exited ({process.returncode})")
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in {seconds:.0f} s")


def cpu_seconds(pid: int) -> float:
    """User and system CPU the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of the process, or of its largest child (Gunicorn's workers), in MB."""
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True,
                              check=False).stdout.split()
    largest = 0.0
    for one in [pid, *map(int, children)]:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    largest = max(largest, int(line.split()[1]) / 1024)
        except OSError:
            pass  # gone meanwhile
    return largest


def start_redis() -> tuple[str, subprocess.Popen]:
    """(REDIS_URL, process) of a redis-server on 127.0.0.1 that keeps nothing on disk."""
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True,
                         check=False).returncode != 0:
        if time.monotonic() > deadline:
            raise RuntimeError("redis-server did not start")
        time.sleep(0.1)
    return f"redis://127.0.0.1:{port}/0", process


def raise_fd_limit() -> int:
    """Lift this process's soft limit on open files to the hard one; returns the new limit."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard
