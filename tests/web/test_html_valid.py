"""Every main page is valid HTML, as the Nu HTML Checker (npm's vnu-jar) judges it.

All pages are checked in one Java start. `make vnu` (a step of `make test`) installs the checker
as root; without it the test skips with a reason, never under CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests import factories as f
from tests.conftest import IN_CI
from tests.web.test_auth import sign_in

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = Path(os.environ.get("FORUM_VNU_JAR",
                              ROOT / ".venv/vnu/node_modules/vnu-jar/build/dist/vnu.jar"))


def _require_checker() -> str:
    java = shutil.which("java")
    missing = None
    if not VNU_JAR.exists():
        missing = f"the Nu HTML Checker is not at {VNU_JAR} (make vnu, as root)"
    elif java is None:
        missing = "java is not installed (apt-get install default-jre-headless)"
    if missing:
        if IN_CI:
            pytest.fail(f"CI=true requires the HTML validity test: {missing}")
        pytest.skip(missing)
    return java


def main_pages(world) -> list[tuple[str | None, str]]:
    public = world.groups["public"].slug
    topic, thread = world.topics["public"].id, world.threads["public"].id
    return [
        (None, "/"), (None, "/login"), (None, "/signup"), (None, f"/groups/{public}"),
        (None, f"/threads/{thread}"),
        ("member", "/"), ("member", f"/groups/{public}"), ("member", f"/groups/{public}/members"),
        ("member", f"/topics/{topic}"), ("member", f"/threads/{thread}"),
        ("member", "/search?q=public"), ("member", "/search?q=public&author=nobody"),
        ("member", "/notifications"), ("member", "/profile"), ("member", "/tokens"),
        ("member", "/users/facilitator"),
        ("moderator", f"/threads/{thread}"), ("moderator", f"/groups/{public}/moderation"),
        ("moderator", f"/groups/{public}/moderation/log"),
        ("facilitator", f"/topics/{topic}/summary/edit"),
        ("facilitator", f"/topics/{topic}/signoff"), ("facilitator", f"/topics/{topic}/response"),
    ]


def _activity(world, api) -> None:
    """Something on every page: reactions, a reply with a mention, a flag, a summary."""
    thread, post = world.threads["public"].id, world.posts["public"].id
    api.post(f"/threads/{thread}/posts", world.tokens["facilitator"],
             json={"body": "A reply for @member, with a [link](https://example.org)",
                   "reply_to": post})
    api.put(f"/posts/{post}/reactions/agree", world.tokens["facilitator"])
    api.post(f"/posts/{post}/flags", world.tokens["moderator"], json={"reason": "spam"})
    api.post(f"/topics/{world.topics['public'].id}/summary", world.tokens["facilitator"],
             json={"body": "We agreed.", "publish": True})


def test_every_main_page_is_valid_html(sqlite_only_app, tmp_path):
    java = _require_checker()
    from tests.factories import Api

    app = sqlite_only_app
    world = f.build_world()
    _activity(world, Api(app.test_client()))
    clients: dict = {}
    files: dict[str, str] = {}
    for number, (persona, path) in enumerate(main_pages(world)):
        if persona not in clients:
            clients[persona] = app.test_client()
            if persona:
                sign_in(clients[persona], persona)
        response = clients[persona].get(path)
        assert response.status_code == 200, (persona, path, response.status_code)
        name = tmp_path / f"page{number:02d}.html"
        name.write_bytes(response.data)
        files[name.name] = f"{persona or 'visitor'} {path}"
    done = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json",
                           *sorted(str(tmp_path / p) for p in os.listdir(tmp_path))],
                          check=False, capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr  # 1: the checker found errors
    messages = json.loads(done.stderr or done.stdout)["messages"]
    where = {m.get("url"): files.get(str(m.get("url")).rsplit("/", 1)[-1]) for m in messages}
    errors = [f"{where[m.get('url')]}: line {m.get('lastLine')}: {m['message']}"
              for m in messages if m.get("type") in ("error", "non-document-error")]
    assert errors == [], "\n".join(errors[:40])
