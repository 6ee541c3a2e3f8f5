"""`flask --app wsgi ...` commands: users, tokens, seed, mail, backup, retention, doctor."""

from __future__ import annotations

import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from forum.errors import ForumError

users_cli = AppGroup("users", help="Manage accounts.")
tokens_cli = AppGroup("tokens", help="Manage personal API tokens.")
seed_cli = AppGroup("seed", help="Fill the database with demo or benchmark data.")
mail_cli = AppGroup("mail", help="Notification mail, and replies to it.")


def _fail(error: ForumError) -> None:
    details = "; ".join(f"{k}: {v}" for k, v in (error.fields or {}).items())
    raise click.ClickException(f"{error.message}{' (' + details + ')' if details else ''}")


@users_cli.command("create")
@click.argument("name")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--admin", is_flag=True, help="Make the account a site administrator.")
@click.option("--display-name", default=None)
def create_user(name: str, email: str, password: str, admin: bool, display_name: str | None):
    """Create an account."""
    from forum.services import accounts

    try:
        user = accounts.create_user(name, email, password, display_name=display_name,
                                    is_admin=admin)
    except ForumError as error:
        _fail(error)
    click.echo(f"created {'site admin' if user.is_admin else 'user'} {user.username}")


@tokens_cli.command("create")
@click.argument("name")
@click.option("--label", default="cli", help="A name to recognise the token by.")
def create_token(name: str, label: str):
    """Create a personal API token for NAME and print it as the last line."""
    from forum.services import accounts

    try:
        token = accounts.create_token(name, label)
    except ForumError as error:
        _fail(error)
    click.echo(token)


@seed_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) if there are accounts.")
def seed_demo(if_empty: bool):
    """Fill an empty database with a small, realistic demo."""
    from forum.seed import DEMO_PASSWORD, PEOPLE, database_is_empty
    from forum.seed import seed_demo as run

    if if_empty and not database_is_empty():
        click.echo("The database has accounts already; the demo was not seeded again.")
    else:
        try:
            run()
        except ForumError as error:
            _fail(error)
    click.echo(f"Demo accounts (password for each: {DEMO_PASSWORD}):")
    for username, _, role in PEOPLE:
        click.echo(f"  {username:<10} {role}")


@seed_cli.command("bench")
@click.option("--threads", "thread_count", type=click.IntRange(1, 1_000_000), default=100)
@click.option("--posts-per-thread", type=click.IntRange(1, 100_000), default=100)
def seed_bench(thread_count: int, posts_per_thread: int):
    """Bulk data for benchmarks (bulk inserts)."""
    from forum.seed_bench import seed_bench as run

    started = time.monotonic()
    total = run(thread_count, posts_per_thread, progress=click.echo)
    click.echo(f"seeded {total} posts in {thread_count} threads "
               f"in {time.monotonic() - started:.1f}s")


@mail_cli.command("digest")
def mail_digest():
    """Queue the daily digests (run from cron once a day), then send what is due."""
    from forum.services import mail

    queued = mail.queue_digests()
    sent = mail.send_due(limit=10_000)
    click.echo(f"queued {queued} digests, sent {sent} mails")


@mail_cli.command("send")
def mail_send():
    """Send the mail that is due now (the server's worker does this every few seconds)."""
    from forum.services import mail

    click.echo(f"sent {mail.send_due(limit=10_000)} mails")


@click.command("backup")
@click.argument("path")
def backup_command(path: str):
    """Write a consistent snapshot of the database to PATH while the forum runs."""
    from forum.doctor import record_backup
    from forum.services import backup

    try:
        written = backup.backup(path)
    except ForumError as error:
        _fail(error)
    record_backup(current_app, written)
    click.echo(f"backup written to {written}")


@click.command("restore")
@click.argument("path")
@click.option("--yes", is_flag=True, help="Confirm: the current database is replaced.")
def restore_command(path: str, yes: bool):
    """Replace the database with the backup at PATH (stop the servers first)."""
    from forum.services import backup

    if not yes:
        raise click.ClickException("This replaces the whole database: add --yes to confirm.")
    try:
        backup.restore(path)
    except ForumError as error:
        _fail(error)
    click.echo(f"restored from {path}")


@click.group("retention", help="Retention of archived topics' posts.")
def retention_cli():
    pass


@retention_cli.command("apply")
@click.option("--execute", is_flag=True, help="Remove for real (the default is a dry run).")
def retention_apply(execute: bool):
    """List (or, with --execute, remove) posts past their group's retention period."""
    from forum.services import retention

    items = retention.apply() if execute else retention.due()
    verb = "removed" if execute else "would remove"
    for item in items:
        click.echo(f"{item.group}: topic {item.topic_id} “{item.topic}”: {verb} {item.posts} posts")
    click.echo(f"{verb} {sum(i.posts for i in items)} posts in {len(items)} topics"
               + ("" if execute else " (dry run: add --execute)"))


@click.group("reminders", help="Deadline reminders of informed conversations.")
def reminders_cli():
    pass


@reminders_cli.command("send")
@click.option("--within-hours", default=48, show_default=True, type=click.IntRange(1, 24 * 30),
              help="Remind about deadlines this close.")
def reminders_send(within_hours: int):
    """Notify whoever still has something to do before a phase deadline (run from cron, e.g.
    every 15 minutes); each person is reminded once per topic and phase. Those going to an
    event (or maybe going) are reminded the day before and the hour before, once each."""
    from datetime import timedelta

    from forum.services import events, mail, phases

    sent = phases.send_reminders(timedelta(hours=within_hours))
    sent += events.send_reminders()
    mailed = mail.send_due(limit=10_000)
    click.echo(f"sent {sent} reminders, {mailed} mails")


@click.group("search", help="The search index.")
def search_cli():
    pass


@search_cli.command("reindex")
def search_reindex():
    """Write the whole search index again from the posts, threads, topics and summaries (search
    keeps answering meanwhile)."""
    from forum.services import search

    click.echo(f"reindexed {search.reindex()} entries")


@click.command("doctor")
def doctor_command():
    """Check this deployment's settings and dependencies; print each problem with its fix."""
    from forum.doctor import diagnose

    problems = diagnose(current_app)
    for problem in problems:
        click.echo(f"PROBLEM: {problem.problem}\n    fix: {problem.fix}")
    if problems:
        click.echo(f"{len(problems)} problem{'s' if len(problems) > 1 else ''} found.")
        raise SystemExit(1)
    click.echo("all good")


def register(app: Flask) -> None:
    from forum import mail_doors  # noqa: F401  (adds `mail receive` and `mail serve`)

    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(seed_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(retention_cli)
    app.cli.add_command(restore_command)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(doctor_command)
    app.cli.add_command(search_cli)
