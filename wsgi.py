"""Entry point: `wsgi:app` for Gunicorn and the CLI; `python wsgi.py` serves everything."""

import sys

if __name__ == "__main__":
    # Cooperative I/O for the WebSocket connections: patch before anything imports sockets.
    from gevent import monkey

    monkey.patch_all()
    # A server is never a Socket.IO client, but python-socketio imports its clients' libraries
    # whenever they are installed (the test tools install them): about 13 MB a process for nothing.
    for client_library in ("aiohttp", "requests", "websocket"):
        sys.modules.setdefault(client_library, None)
    # Without REDIS_URL nothing uses Redis, but the rate limiter's package imports its client
    # (61 modules, some 5 MB) on the way to its in-memory storage.
    import os

    if not os.environ.get("REDIS_URL"):
        sys.modules.setdefault("redis", None)

from forum import create_app  # noqa: E402

app = create_app()


def main(argv: list[str]) -> None:
    import argparse
    import logging

    from forum.bootstrap import ensure_schema
    from forum.extensions import socketio

    parser = argparse.ArgumentParser(description="Serve the Working Groups forum.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args(argv)
    from forum.logs import configure

    configure(app.config["LOG_FORMAT"])  # text, or JSON lines with LOG_FORMAT=json
    if ensure_schema(app):
        configure(app.config["LOG_FORMAT"])  # the migrations replaced the logging set-up
    from forum.services.mail import run_worker

    socketio.start_background_task(run_worker, app)
    from forum.live.handlers import start_heartbeat

    start_heartbeat(app)
    logging.getLogger("forum").info("serving on http://%s:%d", args.host, args.port)
    # gevent's WSGI server: production-grade, WebSocket included, no terminal needed.
    from forum.server import NoDelayHandler

    socketio.run(app, host=args.host, port=args.port, log_output=False, use_reloader=False,
                 handler_class=NoDelayHandler)


if __name__ == "__main__":
    main(sys.argv[1:])
