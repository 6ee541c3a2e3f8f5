"""Mail replies per second: through `flask --app wsgi mail receive` (one process per message, as
an MTA's pipe runs it) and through the service in one process (what `mail serve` does per
message), on a scratch database.

    python bench/mail_receive.py [--db sqlite|postgresql] [--messages 300] [--piped 20]

Each message is a Gmail-style reply (quoted-printable text and HTML, a quoted original) by a
member to a thread of a public group: parsed, checked, stripped of the quote and posted, with
the notification mail it causes queued.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.databases import scratch_database
from bench.results_file import record

DOMAIN = "forum.example.org"
FIXTURE = ROOT / "tests" / "fixtures" / "mail" / "gmail_en.eml"


def _letter(address: str, n: int) -> bytes:
    raw = FIXTURE.read_bytes()
    return (raw.replace(b"{{REPLY_TO}}", address.encode())
            .replace(b"{{FROM_ADDRESS}}", b"member@example.org")
            .replace(b"{{MESSAGE_ID}}", f"<{uuid.uuid4().hex}.{n}@bench.example>".encode()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--messages", type=int, default=300, help="in-process messages")
    parser.add_argument("--piped", type=int, default=20, help="`mail receive` processes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url, drop = scratch_database(args.db, Path(folder), "mailbench")
        try:
            run(args, url, Path(folder))
        finally:
            drop()


def run(args, url: str, folder: Path) -> None:
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench-secret",
               MAIL_REPLY_DOMAIN=DOMAIN, FORUM_INSTANCE_PATH=str(folder / "instance"),
               RATELIMIT_ENABLED="false")
    env.pop("REDIS_URL", None)
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)
    from forum import create_app
    from forum.bootstrap import ensure_schema
    from forum.extensions import db
    from forum.services import accounts, groups, inbound, reply_tokens, threads, topics

    app = create_app()
    ensure_schema(app)
    with app.app_context():
        admin = accounts.create_user("admin", "admin@example.org", "bench-password-1",
                                     is_admin=True)
        member = accounts.create_user("member", "member@example.org", "bench-password-1")
        group = groups.create_group(admin, "bench", "Bench", "About", "public", "open", False)
        groups.set_member_role(admin, group, member, "member")
        topic = topics.create_topic(admin, group, "Topic", "Briefing", "open")
        thread = threads.create_thread(admin, topic, "Thread", "First post")
        address = reply_tokens.reply_address("thread", member.id, thread.id)
        letters = [_letter(address, n) for n in range(args.messages)]
        inbound.receive_message(_letter(address, -1))  # warm up: imports, parser patterns
        started = time.perf_counter()
        for raw in letters:
            (outcome,) = inbound.receive_message(raw)
            assert outcome.status == "posted", outcome
            db.session.remove()
        in_process = args.messages / (time.perf_counter() - started)

    command = [sys.executable, "-m", "flask", "--app", "wsgi", "mail", "receive"]
    started = time.perf_counter()
    for n in range(args.piped):
        done = subprocess.run(command, check=False, input=_letter(address, 10_000 + n), cwd=ROOT, env=env,
                              capture_output=True, timeout=120)
        assert done.returncode == 0 and done.stdout.startswith(b"posted"), done.stderr
    piped = args.piped / (time.perf_counter() - started)
    print(f"mail receive ({args.db}): {piped:.2f} messages/s through `flask mail receive` "
          f"(one process each, {args.piped} messages); {in_process:.0f} messages/s through the "
          f"service in one process ({args.messages} messages)")
    record({f"mail_receive_{args.db}_piped_per_s": round(piped, 2),
            f"mail_receive_{args.db}_in_process_per_s": round(in_process, 1)})


if __name__ == "__main__":
    main()
