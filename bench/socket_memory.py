"""Server memory holding WebSockets: one `python wsgi.py`, N Socket.IO clients on one thread.

    python bench/socket_memory.py [--sockets 1000] [--batch 100]

Starts one server on a scratch SQLite database (bench/live_latency.live_forum), reads its RSS
after its first request, opens N python-socketio AsyncClients (WebSocket transport, all in this
process; the open-files limit is raised first), each subscribed to the same thread, and reads
the server's RSS again while they are held. Issue #22's target: <= 150 MB with 1,000 sockets.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.live_latency import close_subscribers, live_forum, open_subscribers  # noqa: E402
from bench.results_file import record  # noqa: E402
from bench.servers import rss_mb  # noqa: E402

TARGET_MB = 150  # one process holding 1,000 WebSockets


async def held_rss(forum, sockets: int, batch: int) -> float:
    clients = await open_subscribers(forum.bases, f"thread:{forum.thread_id}", sockets, batch)
    try:
        await asyncio.sleep(2)  # let the server settle (presence, heartbeats)
        return rss_mb(forum.servers[0].pid)
    finally:
        await close_subscribers(clients)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100, help="clients connecting at once")
    args = parser.parse_args()
    with live_forum(processes=1) as forum:
        before = rss_mb(forum.servers[0].pid)
        held = asyncio.run(held_rss(forum, args.sockets, args.batch))
    figures = {"socket_memory_rss_before_mb": before,
               f"socket_memory_rss_{args.sockets}_sockets_mb": held,
               "socket_memory_kb_per_socket": (held - before) * 1024 / args.sockets}
    for name, value in figures.items():
        print(f"{name} {value:.1f} {'KB' if name.endswith('_kb_per_socket') else 'MB'}")
    if args.sockets == 1000:
        print(f"issue #22: one process holding 1,000 WebSockets: {held:.0f} MB, target <= "
              f"{TARGET_MB} MB: {'met' if held <= TARGET_MB else 'not met'}")
    record(figures)


if __name__ == "__main__":
    main()
