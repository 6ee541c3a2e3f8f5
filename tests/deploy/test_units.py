"""The systemd units in deploy/ call commands the forum really has, and the processes that
forum.target starts are the ones nginx sends requests to."""

from __future__ import annotations

import re
from configparser import ConfigParser
from pathlib import Path

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def unit(name: str) -> ConfigParser:
    parser = ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / name)
    return parser


def test_every_task_unit_runs_a_real_flask_command_with_real_options(sqlite_app):
    runner = sqlite_app.test_cli_runner()
    services = sorted(p.name for p in DEPLOY.glob("forum-*.service") if "@" not in p.name)
    assert {"forum-mail.service", "forum-digest.service", "forum-reminders.service",
            "forum-retention.service", "forum-backup.service"} <= set(services)
    for name in services:
        command = unit(name)["Service"]["ExecStart"]
        words = re.split(r"\s+", command.split("flask --app wsgi ", 1)[1].strip("'"))
        path = [w for w in words if re.fullmatch(r"[a-z]+", w)]
        options = [w for w in words if w.startswith("--")]
        shown = runner.invoke(args=[*path, "--help"])
        assert shown.exit_code == 0, (name, shown.output)
        for option in options:
            assert option in shown.output, (name, option)
        if unit(name)["Service"].get("Type") == "simple":
            continue  # a long-running listener (replies by mail), started by forum.target
        timer = unit(name.replace(".service", ".timer"))
        assert timer["Timer"]["OnCalendar"], name


def test_forum_target_starts_the_processes_nginx_balances():
    web = unit("forum-web@.service")["Service"]["ExecStart"]
    assert "wsgi.py --host 127.0.0.1 --port %i" in web
    wanted = set(re.findall(r"forum-web@(\d+)\.service", (DEPLOY / "forum.target").read_text()))
    upstream = set(re.findall(r"server 127\.0\.0\.1:(\d+)",
                              (DEPLOY / "nginx-forum.conf").read_text()))
    assert wanted == upstream and len(wanted) >= 2
