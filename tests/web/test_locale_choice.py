"""Which language a reader gets: account, then the footer's cookie, then Accept-Language."""

from __future__ import annotations

import re

from tests.web.test_auth import csrf_from, sign_in


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group(0)


def test_locales_lists_every_language_with_its_direction(client):
    r = client.get("/api/v1/locales")
    assert r.status_code == 200
    items = {item["code"]: item for item in r.get_json()["items"]}
    assert list(items) == ["en-GB", "pl", "ur", "bn", "pa", "ar"]
    assert items["ur"] == {"code": "ur", "name": "Urdu", "native_name": "اردو", "dir": "rtl"}
    assert items["ar"]["dir"] == "rtl" and items["pa"]["dir"] == "ltr"


def test_locales_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "get" in spec["paths"]["/api/v1/locales"]


def test_default_is_en_gb_and_accept_language_picks_the_best_match(world, client):
    assert 'lang="en-GB" dir="ltr"' in html_tag(client.get("/").get_data(as_text=True))
    page = client.get("/", headers={"Accept-Language": "fr;q=1, pl;q=0.8, en;q=0.5"})
    assert 'lang="pl" dir="ltr"' in html_tag(page.get_data(as_text=True))
    page = client.get("/", headers={"Accept-Language": "en-US"})
    assert 'lang="en-GB"' in html_tag(page.get_data(as_text=True))


def test_urdu_and_arabic_pages_are_right_to_left(world, client):
    for code in ("ur", "ar"):
        page = client.get("/login", headers={"Accept-Language": code}).get_data(as_text=True)
        assert f'lang="{code}" dir="rtl"' in html_tag(page)


def test_footer_switcher_sets_a_cookie_for_a_visitor_without_javascript(world, client):
    page = client.get("/groups/public-group").get_data(as_text=True)
    assert 'action="/language"' in page and 'method="get"' in page
    r = client.get("/language?locale=ur&next=/groups/public-group")
    assert r.status_code == 303 and r.headers["Location"] == "/groups/public-group"
    assert "locale=ur" in r.headers["Set-Cookie"]
    page = client.get("/groups/public-group", headers={"Accept-Language": "pl"})
    assert 'lang="ur" dir="rtl"' in html_tag(page.get_data(as_text=True))  # cookie beats header
    # an unknown language or an off-site next changes nothing and stays on the site
    r = client.get("/language?locale=xx&next=https://evil.example/")
    assert r.headers["Location"] == "/" and "Set-Cookie" not in r.headers


def test_account_locale_wins_over_accept_language_and_cookie(world, client, api):
    token = world.tokens["member"]
    r = api.patch("/me", token, json={"locale": "ar"})
    assert r.status_code == 200 and r.get_json()["locale"] == "ar"
    assert api.get("/me", token).get_json()["locale"] == "ar"
    sign_in(client, "member")
    client.set_cookie("locale", "pl")
    page = client.get("/", headers={"Accept-Language": "bn"}).get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in html_tag(page)


def test_patch_me_refuses_an_unsupported_locale_and_null_forgets_it(world, api):
    token = world.tokens["member"]
    r = api.patch("/me", token, json={"locale": "xx"})
    assert r.status_code == 400 and r.get_json()["error"]["fields"]["locale"]
    assert api.patch("/me", token, json={"locale": "PL"}).get_json()["locale"] == "pl"
    r = api.patch("/me", token, json={"locale": None})
    assert r.status_code == 200 and r.get_json()["locale"] is None
    # the display name alone still works, and leaves the language alone
    api.patch("/me", token, json={"locale": "bn"})
    r = api.patch("/me", token, json={"display_name": "Member M"})
    assert r.get_json()["locale"] == "bn" and r.get_json()["display_name"] == "Member M"
    assert api.patch("/me", token, json={"timezone": "Mars/Base"}).status_code == 400
    assert api.patch("/me", token, json={"timezone": "Europe/Warsaw"}).get_json()[
        "timezone"] == "Europe/Warsaw"


def test_signed_in_footer_switch_saves_the_account_language(world, client, api):
    sign_in(client, "member")
    page = client.get("/").get_data(as_text=True)
    footer = page[page.index('<footer'):]
    assert 'method="post"' in footer
    r = client.post("/language", data={"csrf_token": csrf_from(footer), "locale": "pa",
                                       "next": "/"})
    assert r.status_code == 303
    assert api.get("/me", world.tokens["member"]).get_json()["locale"] == "pa"


def test_profile_sets_the_time_zone_mail_uses(world, client, api):
    sign_in(client, "member")
    page = client.get("/profile").get_data(as_text=True)
    assert 'id="profile-locale"' in page and 'id="profile-timezone"' in page
    r = client.post("/profile/timezone", data={"csrf_token": csrf_from(page),
                                               "timezone": "Asia/Karachi"})
    assert r.status_code == 303
    assert api.get("/me", world.tokens["member"]).get_json()["timezone"] == "Asia/Karachi"
    client.post("/profile/timezone", data={"csrf_token": csrf_from(page), "timezone": "Nowhere"})
    assert api.get("/me", world.tokens["member"]).get_json()["timezone"] == "Asia/Karachi"


def test_pages_say_they_vary_with_the_language_asked_for(world, client):
    r = client.get("/", headers={"Accept-Language": "pl"})
    assert "Accept-Language" in r.headers["Vary"]
    again = client.get("/", headers={"Accept-Language": "ur",
                                     "If-None-Match": r.headers["ETag"]})
    assert again.status_code == 200  # another language is another page, never a 304
