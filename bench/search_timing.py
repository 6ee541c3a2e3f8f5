"""Search timing over whatever DATABASE_URL holds (fill it with `flask seed bench` first).

    DATABASE_URL=... python bench/search_timing.py [--queries 200]

Queries mix common, middling and rare words of the seed vocabulary (one and two words), run as
an anonymous visitor through the same service the API calls, and prints p50/p99 in ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forum import create_app  # noqa: E402
from forum.permissions import AnonymousUser  # noqa: E402
from forum.seed_bench import vocabulary  # noqa: E402
from forum.services import search  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    words = vocabulary()
    rng = random.Random(1)
    pools = {"common": words[:50], "middling": words[50:1000], "rare": words[1000:]}
    app = create_app()
    with app.app_context():
        search.search(AnonymousUser(), "warm up the caches")
        for name, pool in pools.items():
            timings = []
            for _ in range(args.queries // 3):
                query = " ".join(rng.sample(pool, rng.choice((1, 2))))
                started = time.perf_counter()
                search.search(AnonymousUser(), query)
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            p99 = timings[min(len(timings) - 1, int(0.99 * len(timings)))]
            print(f"search_{app.extensions['sqlalchemy'].engine.dialect.name}_{name}_p50 "
                  f"{statistics.median(timings):.1f} ms")
            print(f"search_{app.extensions['sqlalchemy'].engine.dialect.name}_{name}_p99 "
                  f"{p99:.1f} ms")


if __name__ == "__main__":
    main()
