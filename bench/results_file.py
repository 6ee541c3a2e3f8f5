"""Where every benchmark script keeps its figures: bench/results/<date>.json, merged."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def record(figures: dict[str, float]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{datetime.date.today().isoformat()}.json"
    existing = json.loads(path.read_text()) if path.exists() else {}
    existing.update(figures)
    path.write_text(json.dumps(existing, indent=2, sort_keys=True))
    print(f"written {path}")
    return path
