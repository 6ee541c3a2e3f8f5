"""Gunicorn settings for `gunicorn -c gunicorn.conf.py -k gevent -w 1 wsgi:app`."""

import subprocess
import sys

worker_class = "gevent"
workers = 1


def post_worker_init(worker):
    """Each worker also sends the mail outbox (claims keep workers from sending twice)."""
    import gevent

    from forum.logs import configure
    from forum.services.mail import run_worker

    configure(worker.wsgi.config["LOG_FORMAT"])
    gevent.spawn(run_worker, worker.wsgi)
    from forum.live.handlers import start_heartbeat

    start_heartbeat(worker.wsgi)


def on_starting(server):
    """Create the schema on an empty database once, before any worker serves.

    Run in a child process so the master imports nothing before gevent patches the workers.
    """
    subprocess.run([sys.executable, "-m", "forum.bootstrap"], check=True)
