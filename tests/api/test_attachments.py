"""Documents attached to topics and posts (issue 20): judged by content, served only to whoever
may see what they are attached to at the moment of download, counted in exports, gone with
erasure and retention."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from forum.extensions import db
from forum.models import Attachment, AttachmentChunk
from tests import factories as f

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c6360000002000100ffff03000006000557bfabd40000000049454e44"
                    "ae426082")
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


DOCX = _zip({"[Content_Types].xml": (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
    "word/document.xml": b"<w:document/>"})
ODS = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "content.xml": b"<office:document-content/>"})


def upload(api, path, token, data: bytes, name: str):
    return api.post(path, token, data={"file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")


def _topic_doc(api, world, vis="private", data=PDF, name="briefing.pdf"):
    r = upload(api, f"/topics/{world.topics[vis].id}/attachments", world.tokens["facilitator"],
               data, name)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_a_facilitator_adds_to_the_briefing_pack_and_members_download_it(world, api):
    doc = _topic_doc(api, world)
    assert doc["content_type"] == "application/pdf" and doc["size"] == len(PDF)
    assert doc["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert doc["uploaded_by"]["username"] == "facilitator"
    assert doc["url"] == f"/api/v1/attachments/{doc['id']}"
    listed = api.get(f"/topics/{world.topics['private'].id}/attachments",
                     world.tokens["member"]).get_json()["items"]
    assert [d["filename"] for d in listed] == ["briefing.pdf"]
    r = api.get(f"/attachments/{doc['id']}", world.tokens["member"])
    assert r.status_code == 200 and r.data == PDF
    assert r.headers["Content-Disposition"].startswith('attachment; filename="briefing.pdf"')
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert r.content_type == "application/pdf"
    refused = upload(api, f"/topics/{world.topics['private'].id}/attachments",
                     world.tokens["member"], PDF, "mine.pdf")
    assert refused.status_code == 403


def test_a_private_topics_document_is_404_to_outsiders_anonymous_and_removed_members(world, api):
    doc = _topic_doc(api, world)
    path = f"/attachments/{doc['id']}"
    for token in (world.tokens["outsider"], None, world.tokens["pending"]):
        r = api.get(path, token)
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
        assert PDF not in r.data
    assert api.get(f"/topics/{world.topics['private'].id}/attachments",
                   world.tokens["outsider"]).status_code == 404
    assert api.get(path, world.tokens["member"]).status_code == 200
    assert api.delete("/groups/private-group/members/member",
                      world.tokens["moderator"]).status_code == 204
    assert api.get(path, world.tokens["member"]).status_code == 404


def test_evidence_on_a_post_follows_its_thread_out_of_sight(world, api):
    post = world.posts["public"]
    r = upload(api, f"/posts/{post.id}/attachments", world.tokens["member"], PNG, "chart.png")
    assert r.status_code == 201 and r.get_json()["content_type"] == "image/png"
    doc = r.get_json()
    assert upload(api, f"/posts/{post.id}/attachments", world.tokens["moderator"], PNG,
                  "x.png").status_code == 403  # only the post's author attaches
    assert api.get(f"/attachments/{doc['id']}", world.tokens["outsider"]).status_code == 200
    moved = api.patch(f"/threads/{world.threads['public'].id}", world.tokens["moderator"],
                      {"topic_id": world.topics["private"].id})
    assert moved.status_code == 200
    assert api.get(f"/attachments/{doc['id']}", world.tokens["outsider"]).status_code == 404
    assert api.get(f"/attachments/{doc['id']}").status_code == 404
    assert api.get(f"/attachments/{doc['id']}", world.tokens["member"]).status_code == 200


@pytest.mark.parametrize("data,name", [
    (ELF, "report.pdf"),           # a renamed executable
    (HTML, "report.pdf"),          # HTML posing as a PDF
    (HTML, "notes.txt"),           # markup is not plain text
    (b"plain words", "report.pdf"),  # the name claims what the content is not
    (PDF, "report.exe"),
    (_zip({"evil.sh": b"#!/bin/sh"}), "data.docx"),
    (b"\xff\xfe\x00b\x00a\x00d", "notes.txt"),
    (b"", "empty.txt"),
])
def test_files_are_judged_by_their_content_not_their_name(world, api, data, name):
    r = upload(api, f"/topics/{world.topics['public'].id}/attachments",
               world.tokens["facilitator"], data, name)
    assert r.status_code == 400, r.get_json()
    assert "file" in r.get_json()["error"]["fields"]
    assert db.session.query(Attachment).count() == 0


@pytest.mark.parametrize("data,name,kind", [
    (DOCX, "paper.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (ODS, "figures.ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("Zażółć gęślą jaźń\n".encode(), "notes", "text/plain"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 50, "photo.JPG", "image/jpeg"),
])
def test_accepted_types_are_stored_with_the_type_their_content_is(world, api, data, name,
                                                                   kind):
    r = upload(api, f"/topics/{world.topics['public'].id}/attachments",
               world.tokens["facilitator"], data, name)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["content_type"] == kind
    assert api.get(r.get_json()["url"][len("/api/v1"):]).data == data


def test_uploads_may_pass_the_one_mebibyte_request_limit_up_to_upload_max_mb(world, api, app):
    big = PDF + b"%" + b"x" * (3 * 1024 * 1024)
    doc = _topic_doc(api, world, "public", big, "big.pdf")
    assert doc["size"] == len(big)
    assert db.session.query(AttachmentChunk).filter_by(attachment_id=doc["id"]).count() == 7
    assert api.get(f"/attachments/{doc['id']}").data == big
    too_big_json = api.post(f"/topics/{world.topics['public'].id}/threads",
                            world.tokens["member"], {"title": "x", "body": "y" * 1_100_000})
    assert too_big_json.status_code == 413
    app.config["UPLOAD_MAX_MB"] = 1
    try:
        r = upload(api, f"/topics/{world.topics['public'].id}/attachments",
                   world.tokens["facilitator"], big, "big.pdf")
        assert r.status_code == 413 and r.get_json()["error"]["code"] == "too_large"
    finally:
        app.config["UPLOAD_MAX_MB"] = 20


def test_the_uploader_or_a_moderator_removes_a_document(world, api):
    doc = _topic_doc(api, world, "public")
    assert api.delete(f"/attachments/{doc['id']}", world.tokens["member"]).status_code == 403
    assert api.delete(f"/attachments/{doc['id']}", world.tokens["moderator"]).status_code == 204
    assert api.get(f"/attachments/{doc['id']}").status_code == 404
    assert db.session.query(AttachmentChunk).count() == 0


def test_uploads_are_in_the_export_and_go_with_erasure(world, api):
    post = world.posts["public"]
    doc = upload(api, f"/posts/{post.id}/attachments", world.tokens["member"], PDF,
                 "evidence.pdf").get_json()
    export = api.get("/me/export", world.tokens["member"]).get_json()
    assert [u["filename"] for u in export["uploads"]] == ["evidence.pdf"]
    assert export["uploads"][0]["sha256"] == doc["sha256"]
    from forum.services import erasure

    member = f._here(world.users["member"])
    erasure.erase_account(member, member)
    db.session.remove()
    assert api.get(f"/attachments/{doc['id']}", world.tokens["moderator"]).status_code == 404
    assert db.session.query(AttachmentChunk).count() == 0


def test_retention_removes_the_documents_of_archived_topics(world, api, app):
    from datetime import timedelta

    from forum.models import Group, Topic, utcnow
    from forum.services import retention

    doc = _topic_doc(api, world, "public")
    group = db.session.get(Group, world.groups["public"].id)
    group.retention_months = 1
    topic = db.session.get(Topic, world.topics["public"].id)
    topic.status = "archived"
    topic.updated_at = utcnow() - timedelta(days=40)
    db.session.commit()
    retention.apply()
    db.session.remove()
    assert db.session.get(Attachment, doc["id"]) is None
