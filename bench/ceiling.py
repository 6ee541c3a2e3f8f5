"""The ceiling: the smallest Flask app, served like the forum, with two bare routes.

    python bench/ceiling.py PORT          (gevent's WSGI server, as `python wsgi.py`)
    gunicorn -k gevent -w 1 bench.ceiling:app

`/ping` answers a small JSON document (the bare JSON route). `/rows?thread=ID` reads 20 rows of
the forum's `posts` table on DATABASE_URL with SQLAlchemy Core (no ORM, no session, no rights)
and answers them as JSON: the bare route reading 20 rows.
"""

import functools
import os
import sys

if __name__ == "__main__":
    from gevent import monkey

    monkey.patch_all()

from flask import Flask, jsonify, request  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

app = Flask(__name__)

ROWS = text("SELECT id, body_html FROM posts WHERE thread_id = :thread ORDER BY id LIMIT 20")


@functools.cache
def engine():
    """The same driver as the forum (psycopg 3 for PostgreSQL), created in the serving process."""
    url = os.environ["DATABASE_URL"]
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    return create_engine(url)


@app.get("/ping")
def ping():
    return jsonify({"ok": True, "service": "ceiling"})


@app.get("/rows")
def rows():
    with engine().connect() as connection:
        found = connection.execute(ROWS, {"thread": request.args.get("thread", type=int)})
        return jsonify({"items": [{"id": row.id, "body_html": row.body_html} for row in found]})


if __name__ == "__main__":
    from gevent.pywsgi import WSGIServer

    from forum.server import NoDelayHandler

    WSGIServer(("127.0.0.1", int(sys.argv[1])), app, log=None,
               handler_class=NoDelayHandler).serve_forever()
