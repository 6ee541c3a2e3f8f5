"""Documents attached to topics (the briefing pack) and posts (evidence): judged by their
content, stored in the database in chunks, served one chunk at a time to whoever may see what
they are attached to at the moment of download."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

import filetype
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, or_, select

from forum import permissions as perm
from forum.db import unit_of_work
from forum.errors import NotFound, TooLarge, ValidationFailed
from forum.extensions import db
from forum.models import Attachment, AttachmentChunk, Post, Thread, Topic, User, utcnow
from forum.permissions import actions
from forum.permissions import events as rules

CHUNK = 512 * 1024
MAX_PER_OBJECT = 100

# The accepted types: the MIME type served, a short label for people, and the names it may have.
TYPES = {
    "application/pdf": ("PDF", ("pdf",)),
    "application/vnd.oasis.opendocument.text": ("ODT", ("odt",)),
    "application/vnd.oasis.opendocument.spreadsheet": ("ODS", ("ods",)),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
        ("DOCX", ("docx",)),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("XLSX", ("xlsx",)),
    "image/png": ("PNG", ("png",)),
    "image/jpeg": ("JPEG", ("jpg", "jpeg")),
    "text/plain": ("Text", ("txt", "text", "md", "csv", "log")),
}
_ODF = {"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet"}
_OOXML = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml":
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml":
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_MARKUP = re.compile(r"\s*<(?:!doctype|html|head|body|script|svg|iframe|\?xml|meta|a\s)",
                     re.IGNORECASE)


def upload_limit() -> int:
    return int(current_app.config.get("UPLOAD_MAX_MB", 20)) * 1024 * 1024


def label(content_type: str) -> str:
    return TYPES.get(content_type, (content_type, ()))[0]


# --- judging a file by its content ----------------------------------------------------------------

def _refuse(message: str):
    raise ValidationFailed({"file": message})


def sniff(stream: BinaryIO) -> str:
    """The accepted MIME type the bytes are, whatever the file is called; 400 otherwise."""
    stream.seek(0)
    head = stream.read(8192)
    if not head:
        _refuse(_("The file is empty."))
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return _office(stream)
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime in ("image/png", "image/jpeg"):
            return kind.mime
        _refuse(_("Files of this kind (%(kind)s) are not accepted: upload a PDF, ODT, ODS, "
                  "DOCX, XLSX, PNG, JPEG or plain text file.", kind=kind.mime))
    return _text(stream)


def _office(stream: BinaryIO) -> str:
    """A zip container is accepted only as an OpenDocument text or spreadsheet (its `mimetype`
    entry) or a Word or Excel document ([Content_Types].xml); macro-enabled ones are not."""
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    declared = entry.read(100).decode("ascii", "replace").strip()
                if declared in _ODF:
                    return declared
            if "[Content_Types].xml" in names:
                with archive.open("[Content_Types].xml") as entry:
                    types = entry.read(1024 * 1024).decode("utf-8", "replace")
                for main, mime in _OOXML.items():
                    if f'ContentType="{main}"' in types:
                        return mime
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        _refuse(_("The file looks like a zip archive but cannot be read."))
    _refuse(_("Zip archives are accepted only as ODT, ODS, DOCX or XLSX documents."))


def _text(stream: BinaryIO) -> str:
    """Plain text: valid UTF-8 throughout, no NUL, and not HTML or other markup."""
    import codecs

    stream.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    start = ""
    try:
        while chunk := stream.read(CHUNK):
            if b"\x00" in chunk:
                _refuse(_("Binary files are not accepted (only PDF, ODT, ODS, DOCX, XLSX, "
                          "PNG, JPEG and plain text)."))
            text = decoder.decode(chunk)
            if len(start) < 512:
                start += text[:512]
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        _refuse(_("This is not a document we accept: text must be UTF-8."))
    if _MARKUP.match(start.lstrip("\ufeff")):
        _refuse(_("HTML and other markup files are not accepted."))
    return "text/plain"


def clean_filename(raw: str | None, content_type: str) -> str:
    """The name a person gave, without folders or control characters, at most 255 characters;
    its extension must be one the content really is (a PDF called report.exe, or text called
    report.pdf, is refused), and one is added when it has none."""
    name = unicodedata.normalize("NFC", (raw or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\"]", "", name).strip().strip(".")
    stem, dot, ext = name.rpartition(".")
    allowed = TYPES[content_type][1]
    if not dot:
        stem, ext = name or "document", ""
    if ext and ext.lower() not in allowed:
        _refuse(_("The name says .%(ext)s but the contents are %(kind)s: rename it or upload "
                  "the real document.", ext=ext.lower()[:10], kind=label(content_type)))
    ext = ext.lower() if ext else allowed[0]
    stem = (stem or "document")[: 250 - len(ext)]
    return f"{stem}.{ext}"


# --- storing ---------------------------------------------------------------------------------------

def _size(stream: BinaryIO) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def _count(column, value) -> int:
    return db.session.scalar(select(func.count(Attachment.id)).where(column == value)) or 0


@unit_of_work
def attach_to_topic(actor: User, topic: Topic, filename: str | None,
                    stream: BinaryIO) -> Attachment:
    """A facilitator adds a document to the topic's briefing pack."""
    actions.require(rules.attach_to_topic(actor, topic))
    if _count(Attachment.topic_id, topic.id) >= MAX_PER_OBJECT:
        raise ValidationFailed({"file": _("A topic holds at most %(n)s documents.",
                                          n=MAX_PER_OBJECT)})
    return _store(actor, filename, stream, topic_id=topic.id)


@unit_of_work
def attach_to_post(actor: User, post: Post, filename: str | None,
                   stream: BinaryIO) -> Attachment:
    """A post's author attaches evidence to it."""
    actions.require(rules.attach_to_post(actor, post))
    if _count(Attachment.post_id, post.id) >= MAX_PER_OBJECT:
        raise ValidationFailed({"file": _("A post holds at most %(n)s documents.",
                                          n=MAX_PER_OBJECT)})
    return _store(actor, filename, stream, post_id=post.id)


def _store(actor: User, filename: str | None, stream: BinaryIO, **where) -> Attachment:
    """Check, then copy the bytes in chunks (never the whole file in memory), hashing them."""
    limit = upload_limit()
    if _size(stream) > limit:
        raise TooLarge(_("The file is larger than %(mb)s MB.", mb=limit // (1024 * 1024)))
    content_type = sniff(stream)
    name = clean_filename(filename, content_type)
    attachment = Attachment(filename=name, content_type=content_type, size=0, sha256="",
                            uploaded_by_id=actor.id, uploaded_by=actor, created_at=utcnow(),
                            **where)
    db.session.add(attachment)
    db.session.flush()
    digest, size, seq = hashlib.sha256(), 0, 0
    stream.seek(0)
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise TooLarge(_("The file is larger than %(mb)s MB.", mb=limit // (1024 * 1024)))
        digest.update(chunk)
        db.session.execute(insert(AttachmentChunk).values(attachment_id=attachment.id,
                                                          seq=seq, data=chunk))
        seq += 1
    attachment.size, attachment.sha256 = size, digest.hexdigest()
    return attachment


# --- reading ---------------------------------------------------------------------------------------

def get_attachment(attachment_id: int, viewer: perm.Viewer) -> Attachment:
    """404 unless the viewer may see, now, what the document is attached to."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or rules.see_attachment(viewer, attachment) is not True:
        raise NotFound(_("No such document."))
    return attachment


def of_topic(topic: Topic) -> list[Attachment]:
    return list(db.session.scalars(select(Attachment).where(Attachment.topic_id == topic.id)
                                   .order_by(Attachment.id)))


def of_post(post: Post) -> list[Attachment]:
    return list(db.session.scalars(select(Attachment).where(Attachment.post_id == post.id)
                                   .order_by(Attachment.id)))


def chunks(attachment_id: int) -> Iterator[bytes]:
    """The bytes, one chunk per query: a download holds one chunk in memory at a time."""
    seq = 0
    while True:
        data = db.session.scalar(select(AttachmentChunk.data).where(
            AttachmentChunk.attachment_id == attachment_id, AttachmentChunk.seq == seq))
        if data is None:
            return
        yield bytes(data)
        seq += 1


@unit_of_work
def delete_attachment(actor: User, attachment: Attachment) -> None:
    """The uploader or a moderator removes a document (and its bytes)."""
    actions.require(rules.delete_attachment(actor, attachment))
    db.session.execute(delete(AttachmentChunk).where(
        AttachmentChunk.attachment_id == attachment.id))
    db.session.delete(attachment)


# --- subject access, erasure and retention (inside their callers' units of work) -----------------

def uploads_of(user: User) -> list[dict]:
    """Metadata of the person's uploads, for their subject-access export."""
    from forum.serializers import iso

    return [{"id": a.id, "filename": a.filename, "content_type": a.content_type,
             "size": a.size, "sha256": a.sha256, "created_at": iso(a.created_at),
             "topic_id": a.topic_id, "post_id": a.post_id}
            for a in db.session.scalars(select(Attachment).where(
                Attachment.uploaded_by_id == user.id).order_by(Attachment.id))]


def _remove(condition) -> int:
    ids = list(db.session.scalars(select(Attachment.id).where(condition)))
    if ids:
        db.session.execute(delete(AttachmentChunk).where(
            AttachmentChunk.attachment_id.in_(ids)))
        db.session.execute(delete(Attachment).where(Attachment.id.in_(ids)))
    return len(ids)


def erase_uploads(user_id: int) -> int:
    """Erasure: the documents a person uploaded go with their account."""
    return _remove(Attachment.uploaded_by_id == user_id)


def retire_topic(topic_id: int) -> int:
    """Retention: the documents of a topic and of its posts go with its posts' texts."""
    posts = select(Post.id).join(Thread, Thread.id == Post.thread_id).where(
        Thread.topic_id == topic_id)
    return _remove(or_(Attachment.topic_id == topic_id, Attachment.post_id.in_(posts)))
