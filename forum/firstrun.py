"""`make run`: schema, demo data, then the server; the address and demo accounts once it answers."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _quietly(*args: str) -> None:
    """Run a setup command; show its output only when it fails."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(done.returncode)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def banner(address: str) -> str:
    from forum.seed import DEMO_PASSWORD, PEOPLE

    instance = Path(os.environ.get("FORUM_INSTANCE_PATH") or ROOT / "instance")
    lines = [f"The forum is ready: {address}  (Ctrl-C stops)", "",
             f"Demo accounts, each with the password {DEMO_PASSWORD}:"]
    lines += [f"  {username:<8} {role}" for username, _, role in PEOPLE]
    lines += ["", f"Sign in at {address}/login. Mail is not sent while MAIL_URL is unset: "
                  f"read it in {instance / 'mail.log'}."]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args(argv)
    _quietly("db", "upgrade")
    _quietly("seed", "demo", "--if-empty")
    server = subprocess.Popen([sys.executable, "wsgi.py", "--host", args.host,
                               "--port", str(args.port)], cwd=ROOT)
    address = f"http://{args.host}:{args.port}"
    try:
        while server.poll() is None and not _answers(f"{address}/healthz"):
            time.sleep(0.2)
        if server.poll() is None:
            print("\n" + banner(address) + "\n", flush=True)
        return server.wait()
    except KeyboardInterrupt:
        server.send_signal(signal.SIGINT)
        try:
            return server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            return 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
