"""Soak: a mixed workload for a set time against two server processes on PostgreSQL + Redis.

    python bench/soak.py [--minutes 10] [--clients 12] [--subscribers 50] [--growth-mb 40]

Starts its own PostgreSQL database (on the local server, dropped after), its own redis-server
and two `python wsgi.py` processes on 127.0.0.1, then runs, for the set time: readers (thread
pages, the posts API, groups, search), posters (replies, sometimes a new thread), reactors
(PUT/DELETE reactions) and live subscribers spread over both processes. It prints one line per
figure (`name value unit`): throughput, p99 latency per kind of request, the error count (any
5xx or transport error; 429s are counted apart) and each server's RSS at start (after warm-up)
and at the end. It exits non-zero when a server errs or grows by more than --growth-mb.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import requests
import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.live_latency import percentile  # noqa: E402
from bench.servers import rss_mb  # noqa: E402
from tests.live.conftest import free_port, make_users, start_server, stop, wait_ready  # noqa: E402


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.limited = 0
        self.live_events = 0

    def record(self, kind: str, started: float, response: requests.Response | None) -> None:
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            if response is None or response.status_code >= 500:
                self.errors[kind] += 1
            elif response.status_code == 429:
                self.limited += 1
            else:
                self.latency[kind].append(elapsed)


def _client(bases, tokens, names, scene, stats: Stats, until: float, seed: int) -> None:
    rng = random.Random(seed)
    session = requests.Session()
    name = names[seed % len(names)]
    session.headers["Authorization"] = f"Bearer {tokens[name]}"
    threads = list(scene["threads"])
    while time.monotonic() < until:
        base = bases[rng.randrange(len(bases))]
        thread = rng.choice(threads)
        roll = rng.random()
        started = time.perf_counter()
        try:
            if roll < 0.30:
                kind, r = "thread_page", session.get(f"{base}/threads/{thread}", timeout=30)
            elif roll < 0.55:
                kind, r = "posts_api", session.get(
                    f"{base}/api/v1/threads/{thread}/posts?per_page=20", timeout=30)
            elif roll < 0.62:
                kind, r = "groups", session.get(f"{base}/api/v1/groups", timeout=30)
            elif roll < 0.70:
                kind, r = "search", session.get(f"{base}/api/v1/search",
                                                params={"q": rng.choice(scene["words"])},
                                                timeout=30)
            elif roll < 0.88:
                kind, r = "post", session.post(f"{base}/api/v1/threads/{thread}/posts",
                                               json={"body": f"soak {uuid.uuid4().hex[:8]} "
                                                     + rng.choice(scene["words"])}, timeout=30)
            elif roll < 0.90:
                kind, r = "new_thread", session.post(
                    f"{base}/api/v1/topics/{scene['topic']}/threads",
                    json={"title": "Soak thread", "body": "opening words"}, timeout=30)
                if r.status_code == 201:
                    threads.append(r.json()["id"])
            else:
                verb = "PUT" if rng.random() < 0.6 else "DELETE"
                kind, r = "reaction", session.request(
                    verb, f"{base}/api/v1/posts/{rng.choice(scene['posts'])}/reactions/agree",
                    timeout=30)
        except requests.RequestException:
            kind, r = "transport", None
        stats.record(kind, started, r)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--subscribers", type=int, default=50)
    parser.add_argument("--growth-mb", type=float, default=40)
    args = parser.parse_args()

    import psycopg

    admin = os.environ.get("FORUM_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"forum_soak_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    redis_port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    tmp = Path(tempfile.mkdtemp())
    env = dict(os.environ, FORUM_INSTANCE_PATH=str(tmp), RATELIMIT_ENABLED="false",
               SECRET_KEY="soak", DATABASE_URL=admin.rsplit("/", 1)[0] + "/" + name,
               REDIS_URL=f"redis://127.0.0.1:{redis_port}/0")
    ports = [free_port(), free_port()]
    servers = []
    listeners: list[socketio.Client] = []
    try:
        time.sleep(0.5)
        servers = [start_server(env, port) for port in ports]
        for server, port in zip(servers, ports):
            wait_ready(server, port, 60)
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        names = [f"soak{i}" for i in range(args.clients)]
        tokens = make_users(env, {"soakadmin": True, **{n: False for n in names}})
        h = {"Authorization": f"Bearer {tokens['soakadmin']}"}
        requests.post(f"{bases[0]}/api/v1/groups", headers=h, json={
            "slug": "soak", "name": "Soak", "visibility": "public", "join_policy": "open"})
        for n in names:
            requests.post(f"{bases[0]}/api/v1/groups/soak/join",
                          headers={"Authorization": f"Bearer {tokens[n]}"})
        topic = requests.post(f"{bases[0]}/api/v1/groups/soak/topics", headers=h,
                              json={"title": "Soak", "briefing": "b"}).json()
        words = ["interpreting", "carers", "transport", "respite", "funding", "volunteers"]
        scene = {"topic": topic["id"], "threads": [], "posts": [], "words": words}
        for i in range(10):
            thread = requests.post(f"{bases[0]}/api/v1/topics/{topic['id']}/threads", headers=h,
                                   json={"title": f"Thread {i}",
                                         "body": " ".join(words[i % 6:] + words[:i % 6])}).json()
            scene["threads"].append(thread["id"])
            scene["posts"].append(thread["first_post"]["id"])
        stats = Stats()

        def on_event(_data):
            with stats.lock:
                stats.live_events += 1
        for i in range(args.subscribers):
            client = socketio.Client(reconnection=True)
            client.on("post.created", on_event)
            client.connect(bases[i % 2], transports=["websocket"], wait_timeout=30)
            client.call("subscribe", {"room": f"thread:{scene['threads'][i % 10]}"}, timeout=30)
            listeners.append(client)
        # Warm up a minute's worth (at most) before the first memory reading.
        warm = time.monotonic() + min(60, args.minutes * 6)
        workers = [threading.Thread(target=_client, args=(bases, tokens, names, scene,
                                                          Stats(), warm, i))
                   for i in range(args.clients)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        rss_start = [rss_mb(s.pid) for s in servers]
        started = time.monotonic()
        until = started + args.minutes * 60
        workers = [threading.Thread(target=_client, args=(bases, tokens, names, scene, stats,
                                                          until, 100 + i))
                   for i in range(args.clients)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.monotonic() - started
        rss_end = [rss_mb(s.pid) for s in servers]
        total = sum(len(v) for v in stats.latency.values())
        errors = sum(stats.errors.values())
        print(f"soak_minutes {elapsed / 60:.1f} min")
        print(f"soak_throughput {total / elapsed:.1f} req/s")
        for kind, values in sorted(stats.latency.items()):
            print(f"soak_{kind}_count {len(values)} requests")
            print(f"soak_{kind}_p99 {percentile(values, 0.99):.0f} ms")
        print(f"soak_errors {errors} requests")
        for kind, count in sorted(stats.errors.items()):
            print(f"soak_errors_{kind} {count} requests")
        print(f"soak_rate_limited {stats.limited} requests")
        print(f"soak_live_events {stats.live_events} events")
        for i, (before, after) in enumerate(zip(rss_start, rss_end)):
            print(f"soak_server{i}_rss_start {before:.0f} MB")
            print(f"soak_server{i}_rss_end {after:.0f} MB")
        grew = max(after - before for before, after in zip(rss_start, rss_end))
        print(f"soak_rss_growth_max {grew:.0f} MB (bound {args.growth_mb:.0f} MB)")
        return 0 if errors == 0 and grew <= args.growth_mb else 1
    finally:
        for client in listeners:
            try:
                client.disconnect()
            except Exception:
                pass
        for server in servers:
            stop(server)
        redis.terminate()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
