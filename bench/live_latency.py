"""Live delivery latency: N WebSocket subscribers on one thread, posts, p50/p99 per N.

    python bench/live_latency.py [--subscribers 1,100,1000] [--posts 20] [--processes 1|2]

Starts its own server(s) (`python wsgi.py`, gevent) on SQLite (one process) or PostgreSQL +
Redis (two processes; needs both running locally), on 127.0.0.1 only, and stops them after.
Latency is measured from the moment the POST's answer arrives to each delivery.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.live.conftest import free_port, make_users, start_server, stop, wait_ready  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def run_round(bases: list[str], token: str, thread_id: int, subscribers: int,
                    posts: int) -> list[float]:
    received: dict[str, list[float]] = {}
    clients = []

    async def connect(i: int):
        client = socketio.AsyncClient(reconnection=False)

        @client.on("post.created")
        async def on_post(data):
            received.setdefault(data["body_markdown"], []).append(time.perf_counter())

        await client.connect(bases[i % len(bases)], transports=["websocket"], wait_timeout=30)
        ack = await client.call("subscribe", {"room": f"thread:{thread_id}"}, timeout=30)
        assert ack == {"ok": True}, ack
        clients.append(client)

    for start in range(0, subscribers, 100):
        await asyncio.gather(*(connect(i) for i in range(start, min(subscribers, start + 100))))
    latencies: list[float] = []
    async with aiohttp.ClientSession() as http:
        for n in range(posts):
            body = f"bench {uuid.uuid4().hex}"
            async with http.post(f"{bases[-1]}/api/v1/threads/{thread_id}/posts",
                                 json={"body": body},
                                 headers={"Authorization": f"Bearer {token}"}) as response:
                assert response.status == 201, await response.text()
                answered = time.perf_counter()
            deadline = time.perf_counter() + 10
            while len(received.get(body, [])) < subscribers and time.perf_counter() < deadline:
                await asyncio.sleep(0.005)
            got = received.get(body, [])
            if len(got) < subscribers:
                print(f"  warning: {subscribers - len(got)} of {subscribers} missed post {n}")
            latencies += [max(0.0, t - answered) * 1000 for t in got]
    await asyncio.gather(*(client.disconnect() for client in clients))
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", default="1,100,1000")
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--processes", type=int, choices=(1, 2), default=1)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    env = dict(os.environ, FORUM_INSTANCE_PATH=str(tmp), RATELIMIT_ENABLED="false",
               SECRET_KEY="bench")
    cleanup = []
    if args.processes == 2:
        import psycopg

        admin = os.environ.get("FORUM_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
        name = f"forum_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        redis_port = free_port()
        redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--save", "",
                                  "--appendonly", "no"], stdout=subprocess.DEVNULL)
        env.update(DATABASE_URL=admin.rsplit("/", 1)[0] + "/" + name,
                   REDIS_URL=f"redis://127.0.0.1:{redis_port}/0")

        def drop():
            redis.terminate()
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cleanup.append(drop)
        time.sleep(0.5)
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'forum.db'}"
    ports = [free_port() for _ in range(args.processes)]
    servers = [start_server(env, port) for port in ports]
    try:
        for server, port in zip(servers, ports):
            wait_ready(server, port, 60)
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        tokens = make_users(env, {"benchadmin": True})
        import requests

        h = {"Authorization": f"Bearer {tokens['benchadmin']}"}
        requests.post(f"{bases[0]}/api/v1/groups", headers=h, json={
            "slug": "bench", "name": "Bench", "visibility": "public", "join_policy": "open"})
        topic = requests.post(f"{bases[0]}/api/v1/groups/bench/topics", headers=h,
                              json={"title": "Bench", "briefing": "b"}).json()
        thread = requests.post(f"{bases[0]}/api/v1/topics/{topic['id']}/threads", headers=h,
                               json={"title": "Bench", "body": "first"}).json()
        results = {}
        for n in [int(x) for x in args.subscribers.split(",")]:
            latencies = asyncio.run(run_round(bases, tokens["benchadmin"], thread["id"], n,
                                              args.posts))
            results[n] = latencies
            label = f"live_delivery_{args.processes}proc_{n}subs"
            print(f"{label}_p50 {percentile(latencies, 0.5):.1f} ms")
            print(f"{label}_p99 {percentile(latencies, 0.99):.1f} ms")
        for server in servers:
            print(f"server_rss_{args.processes}proc_pid{server.pid} {rss_mb(server.pid):.0f} MB")
        print(json.dumps({str(n): {"p50": percentile(v, .5), "p99": percentile(v, .99),
                                   "mean": statistics.fmean(v)} for n, v in results.items()}))
    finally:
        for server in servers:
            stop(server)
        for step in cleanup:
            step()


if __name__ == "__main__":
    main()
