"""The forum served by `python wsgi.py`: schema on first start, HTTP and Socket.IO together."""

from __future__ import annotations

import threading

import requests
import socketio

from tests.live.conftest import free_port, server_env, start_server, stop, wait_ready


def _api(base, method, path, token=None, json=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, f"{base}/api/v1{path}", json=json, headers=headers,
                            timeout=10)


def _setup(base, tokens, visibility):
    slug = f"{visibility}-live"
    _api(base, "POST", "/groups", tokens["boss"], {"slug": slug, "name": slug,
                                                   "visibility": visibility,
                                                   "join_policy": "open"})
    _api(base, "PUT", f"/groups/{slug}/members/alice", tokens["boss"], {"role": "member"})
    topic = _api(base, "POST", f"/groups/{slug}/topics", tokens["boss"],
                 {"title": "Live topic", "briefing": "b"}).json()
    thread = _api(base, "POST", f"/topics/{topic['id']}/threads", tokens["alice"],
                  {"title": "Live thread", "body": "first"}).json()
    return slug, topic, thread


def test_subscriber_receives_new_post_after_the_post_is_answered(live):
    base, _env, tokens = live
    _slug, _topic, thread = _setup(base, tokens, "public")
    received = threading.Event()
    payloads = []
    client = socketio.Client(reconnection=False)

    @client.on("post.created")
    def on_post(data):
        payloads.append(data)
        received.set()

    client.connect(base, transports=["websocket"], wait_timeout=10)  # anonymous follower
    try:
        assert client.call("subscribe", {"room": f"thread:{thread['id']}"}, timeout=10) == {
            "ok": True}
        r = _api(base, "POST", f"/threads/{thread['id']}/posts", tokens["alice"],
                 {"body": "live **reply**"})
        assert r.status_code == 201
        assert received.wait(10)
        assert payloads[0]["body_html"] == "<p>live <strong>reply</strong></p>\n"
        assert payloads[0]["my_reactions"] == []
    finally:
        client.disconnect()


def test_private_rooms_are_not_found_for_outsiders_and_bad_payloads_are_bad_requests(live):
    base, _env, tokens = live
    slug, topic, thread = _setup(base, tokens, "private")
    outsider = socketio.Client(reconnection=False)
    outsider.connect(base, auth={"token": tokens["bystander"]}, transports=["websocket"],
                     wait_timeout=10)
    member = socketio.Client(reconnection=False)
    member.connect(base, auth={"token": tokens["alice"]}, transports=["websocket"],
                   wait_timeout=10)
    try:
        for room in (f"group:{slug}", f"topic:{topic['id']}", f"thread:{thread['id']}"):
            assert outsider.call("subscribe", {"room": room}, timeout=10) == {
                "ok": False, "error": "not_found"}
            assert member.call("subscribe", {"room": room}, timeout=10) == {"ok": True}
        assert outsider.call("subscribe", {"nope": 1}, timeout=10) == {
            "ok": False, "error": "bad_request"}
    finally:
        outsider.disconnect()
        member.disconnect()


def test_a_bad_token_is_refused_at_connect(live):
    base, _env, _tokens = live
    client = socketio.Client(reconnection=False)
    try:
        client.connect(base, auth={"token": "wgf_forged"}, transports=["websocket"],
                       wait_timeout=10)
        connected = True
    except socketio.exceptions.ConnectionError:
        connected = False
    finally:
        if client.connected:
            client.disconnect()
    assert connected is False


def test_two_processes_starting_on_an_empty_database_both_serve(tmp_path):
    env = server_env(tmp_path)
    ports = [free_port(), free_port()]
    processes = [start_server(env, port) for port in ports]
    try:
        for process, port in zip(processes, ports):
            wait_ready(process, port)
        for port in ports:
            assert requests.get(f"http://127.0.0.1:{port}/api/v1/groups",
                                timeout=5).json()["total"] == 0
        key_file = tmp_path / "instance" / "secret_key"
        assert not key_file.exists() or (key_file.stat().st_mode & 0o777) == 0o600
    finally:
        for process in processes:
            stop(process)


def test_an_oversized_socketio_message_is_refused_and_the_server_carries_on(live):
    base, _env, tokens = live
    slug, topic, thread = _setup(base, tokens, "public")
    big = socketio.Client(reconnection=False)
    big.connect(base, auth={"token": tokens["alice"]}, transports=["websocket"], wait_timeout=10)
    gone = threading.Event()
    big.on("disconnect", lambda *args: gone.set())
    try:
        # 256 KiB in one message: over the 64 KiB limit, so the server drops the connection
        # rather than buffering it.
        big.emit("typing", {"thread_id": thread["id"], "pad": "x" * 256 * 1024})
        assert gone.wait(10), "the oversized message was accepted"
    finally:
        if big.connected:
            big.disconnect()
    small = socketio.Client(reconnection=False)
    small.connect(base, auth={"token": tokens["alice"]}, transports=["websocket"],
                  wait_timeout=10)
    try:
        assert small.call("subscribe", {"room": f"thread:{thread['id']}"}, timeout=10) == {
            "ok": True}
    finally:
        small.disconnect()
    r = _api(base, "POST", f"/threads/{thread['id']}/posts", tokens["alice"], {"body": "still"})
    assert r.status_code == 201
