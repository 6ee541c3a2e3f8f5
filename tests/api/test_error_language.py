"""API error messages speak the caller's Accept-Language; the codes never change (#18)."""

from __future__ import annotations

from pathlib import Path

from babel.support import Translations

POLISH = Translations.load(str(Path(__file__).parents[2] / "forum" / "translations"), ["pl"])
PL = {"Accept-Language": "pl"}


def test_errors_in_polish_keep_their_codes(world, api):
    missing = api.get("/threads/999999", headers=dict(PL)).get_json()["error"]
    english = api.get("/threads/999999").get_json()["error"]
    assert missing["code"] == english["code"] == "not_found"
    assert missing["message"] == POLISH.gettext("No such thread.") != english["message"]

    r = api.get("/me", headers=dict(PL))
    assert r.status_code == 401
    assert r.get_json()["error"]["code"] == api.get("/me").get_json()["error"]["code"]
    assert r.get_json()["error"]["message"] != api.get("/me").get_json()["error"]["message"]

    r = api.post(f"/topics/{world.topics['public'].id}/threads", world.tokens["member"],
                 {"title": "x"}, headers=dict(PL))
    error = r.get_json()["error"]
    assert r.status_code == 400 and error["code"] == "validation_failed"
    assert error["fields"]["body"] == POLISH.gettext("This field is required.")
