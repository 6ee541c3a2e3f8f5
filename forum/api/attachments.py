"""Documents attached to topics and posts: upload (multipart), list, download, remove."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, request, stream_with_context
from flask_babel import gettext as _

from forum.api import bp, operation, signed_in_user, viewer, whole_list_json
from forum.api import event_schemas as es
from forum.errors import ValidationFailed
from forum.event_serializers import attachment_json
from forum.services import attachments, queries

UPLOADS = frozenset({"api.upload_topic_attachment", "api.upload_post_attachment"})
FILE = {"file": "The document: PDF, ODT, ODS, DOCX, XLSX, PNG, JPEG or plain text (UTF-8)"}
DOWNLOAD_TYPES = ",".join(["application/octet-stream", *attachments.TYPES])


@bp.url_value_preprocessor
def _uploads_may_be_large(endpoint, _values):
    """Upload routes take up to UPLOAD_MAX_MB (the rest of the API keeps its 1 MiB); this runs
    before any before_request hook could read the body."""
    if endpoint in UPLOADS:
        request.max_content_length = attachments.upload_limit() + 256 * 1024


def uploaded_file():
    """The one `file` of a multipart/form-data request (400 naming `file` otherwise)."""
    files = request.files.getlist("file")
    if len(files) != 1 or len(request.files) != 1:
        raise ValidationFailed({"file": _("Send exactly one file, as the multipart/form-data "
                                          "field `file`.")})
    return files[0]


def download(attachment) -> Response:
    """The bytes, streamed chunk by chunk, as a download that no browser renders in place."""
    fallback = attachment.filename.encode("ascii", "ignore").decode().replace('"', "") or \
        "document"
    content_type = attachment.content_type
    if content_type == "text/plain":
        content_type += "; charset=utf-8"
    response = Response(stream_with_context(attachments.chunks(attachment.id)),
                        content_type=content_type, direct_passthrough=True)
    response.content_length = attachment.size
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(attachment.filename)}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@operation("/topics/<id:topic_id>/attachments", "POST",
           summary="Add a document to the topic's briefing pack (facilitators)",
           response=es.Attachment, status=201, errors=(401, 403, 404, 413), auth="required",
           form=FILE)
def upload_topic_attachment(topic_id: int):
    me = viewer()
    topic = queries.get_topic(topic_id, me)
    file = uploaded_file()
    return attachment_json(attachments.attach_to_topic(signed_in_user(), topic, file.filename,
                                                       file.stream))


@operation("/topics/<id:topic_id>/attachments", "GET", summary="The topic's briefing pack",
           response=es.AttachmentList, errors=(404,))
def topic_attachments(topic_id: int):
    topic = queries.get_topic(topic_id, viewer())
    return whole_list_json([attachment_json(a) for a in attachments.of_topic(topic)])


@operation("/posts/<id:post_id>/attachments", "POST",
           summary="Attach evidence to one's own post", response=es.Attachment, status=201,
           errors=(401, 403, 404, 413), auth="required", form=FILE)
def upload_post_attachment(post_id: int):
    me = viewer()
    post = queries.get_post(post_id, me)
    file = uploaded_file()
    return attachment_json(attachments.attach_to_post(signed_in_user(), post, file.filename,
                                                      file.stream))


@operation("/posts/<id:post_id>/attachments", "GET", summary="Documents attached to a post",
           response=es.AttachmentList, errors=(404,))
def post_attachments(post_id: int):
    post = queries.get_post(post_id, viewer())
    return whole_list_json([attachment_json(a) for a in attachments.of_post(post)])


@operation("/attachments/<id:attachment_id>", "GET",
           summary="Download a document (whoever may see what it is attached to)",
           errors=(404,), produces=DOWNLOAD_TYPES)
def attachment(attachment_id: int):
    return download(attachments.get_attachment(attachment_id, viewer()))


@operation("/attachments/<id:attachment_id>", "DELETE",
           summary="Remove a document (its uploader, moderators)", status=204,
           errors=(401, 403, 404), auth="required")
def delete_attachment(attachment_id: int):
    me = viewer()
    attachments.delete_attachment(signed_in_user(), attachments.get_attachment(attachment_id,
                                                                               me))
