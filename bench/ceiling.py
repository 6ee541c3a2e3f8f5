"""The ceiling: the smallest Flask app answering a small JSON document, served like the forum.

    python bench/ceiling.py PORT          (gevent's WSGI server, as `python wsgi.py`)
    gunicorn -k gevent -w 1 bench.ceiling:app
"""

import sys

if __name__ == "__main__":
    from gevent import monkey

    monkey.patch_all()

from flask import Flask, jsonify  # noqa: E402

app = Flask(__name__)


@app.get("/ping")
def ping():
    return jsonify({"ok": True, "service": "ceiling"})


if __name__ == "__main__":
    from gevent.pywsgi import WSGIServer

    from forum.server import NoDelayHandler

    WSGIServer(("127.0.0.1", int(sys.argv[1])), app, log=None,
               handler_class=NoDelayHandler).serve_forever()
