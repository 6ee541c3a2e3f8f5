"""Gunicorn settings for `gunicorn -c gunicorn.conf.py -k gevent -w 1 wsgi:app`."""

worker_class = "gevent"
workers = 1


def on_starting(server):
    """Create the schema on an empty database once, in the master, before any worker serves."""
    from forum import create_app
    from forum.bootstrap import ensure_schema

    ensure_schema(create_app())
