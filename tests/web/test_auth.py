"""Signing in and out with the HTML form, and what a cookie session may do in the API."""

from __future__ import annotations

import re

from tests.factories import PASSWORD


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def sign_in(client, username: str, password: str = PASSWORD):
    page = client.get("/login").get_data(as_text=True)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_from(page)})


def test_sign_in_answers_303_and_wrong_password_401_with_the_form(world, client):
    bad = sign_in(client, "member", "not-the-password")
    assert bad.status_code == 401 and 'name="password"' in bad.get_data(as_text=True)
    good = sign_in(client, "member")
    assert good.status_code == 303 and good.headers["Location"] == "/"
    assert client.get("/api/v1/me").get_json()["username"] == "member"


def test_sign_in_without_csrf_token_fails(world, client):
    r = client.post("/login", data={"username": "member", "password": PASSWORD})
    assert r.status_code in (400, 401, 403)
    assert client.get("/api/v1/me").status_code == 401


def test_next_never_redirects_off_site(world, client):
    page = client.get("/login").get_data(as_text=True)
    r = client.post("/login?next=https://evil.example/", data={
        "username": "member", "password": PASSWORD, "csrf_token": csrf_from(page)})
    assert r.headers["Location"] == "/"


def test_cookie_session_needs_csrf_header_for_changes_bearer_does_not(world, client, api):
    sign_in(client, "member")
    thread = world.threads["public"].id
    r = client.post(f"/api/v1/threads/{thread}/posts", json={"body": "no token"})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "csrf_failed"
    token = client.get("/api/v1/me").get_json()["csrf_token"]
    r = client.post(f"/api/v1/threads/{thread}/posts", json={"body": "with token"},
                    headers={"X-CSRFToken": token})
    assert r.status_code == 201
    r = api.post(f"/threads/{thread}/posts", world.tokens["member"], {"body": "bearer"})
    assert r.status_code == 201


def test_signing_out_ends_the_session_on_the_server(world, client):
    sign_in(client, "member")
    stolen_cookie = client.get_cookie("session").value
    page = client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    client.set_cookie("session", stolen_cookie)  # a copy kept from before sign-out
    assert client.get("/api/v1/me").status_code == 401


def test_session_cookie_is_httponly_and_samesite_lax(world, client):
    response = sign_in(client, "member")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_private_group_pages_and_api_say_404_to_anonymous(world, client):
    r = client.get(f"/api/v1/groups/{world.groups['private'].slug}")
    assert r.status_code == 404
    assert "private" not in r.get_data(as_text=True).lower()
