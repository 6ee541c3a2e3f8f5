"""Summaries, the consultation report and insights of an informed conversation."""

from __future__ import annotations

from flask import Response, request
from flask_babel import gettext

from forum.api import operation, signed_in_user, viewer, whole_list_json
from forum.api import schemas as s
from forum.errors import ValidationFailed
from forum.serializers import post_json, summary_json, thread_json
from forum.services import queries, reading, reports, summaries


@operation("/topics/<id:topic_id>/summary", "GET",
           summary="The latest published summary (404 if none)", response=s.Summary,
           errors=(404,))
def topic_summary(topic_id: int):
    topic = queries.get_topic(topic_id, viewer())
    summary = summaries.latest_published(topic)
    return summary_json(summary, summaries.citations_of([summary.id]).get(summary.id, []),
                        summaries.stale_post_ids(summary))


@operation("/topics/<id:topic_id>/summary", "POST",
           summary="Write a new summary version, draft or published", body=s.SummaryCreate,
           response=s.Summary, status=201, errors=(401, 403, 404, 413), auth="required")
def write_summary(topic_id: int, data: s.SummaryCreate):
    topic = queries.get_topic(topic_id, viewer())
    summary = summaries.write_summary(signed_in_user(), topic, data.body, data.publish,
                                      data.cited_post_ids)
    return summary_json(summary, summary.cited_ids)


@operation("/topics/<id:topic_id>/summary/versions", "GET",
           summary="Every summary version, drafts included, newest first",
           response=s.page_of(s.Summary), errors=(401, 403, 404), auth="required")
def summary_versions(topic_id: int):
    topic = queries.get_topic(topic_id, viewer())
    versions = summaries.list_versions(signed_in_user(), topic)
    cited = summaries.citations_of([v.id for v in versions])
    items = [summary_json(v, cited.get(v.id, []), summaries.stale_post_ids(v))
             for v in versions]
    return whole_list_json(items)


@operation("/topics/<id:topic_id>/report", "GET",
           summary="The consultation-response report as a download (Markdown or CSV)",
           errors=(401, 403, 404), auth="required", produces="text/markdown",
           query={"format": ("string", "md (default) or csv",
                             {"enum": ["md", "csv"], "default": "md"})})
def topic_report(topic_id: int):
    fmt = download_format()
    topic = queries.get_topic(topic_id, viewer())
    return as_download(reports.build_report(signed_in_user(), topic, fmt))


def download_format() -> str:
    fmt = request.args.get("format", "md")
    if fmt not in ("md", "csv"):
        raise ValidationFailed({"format": gettext("Choose md or csv.")})
    return fmt


def as_download(report: reports.Report) -> Response:
    return Response(report.body, content_type=report.content_type, headers={
        "Content-Disposition": f'attachment; filename="{report.filename}"'})


@operation("/topics/<id:topic_id>/insights", "GET",
           summary="What the group said: participation and the posts to read first",
           response=s.Insights, errors=(401, 403, 404), auth="required")
def topic_insights(topic_id: int):
    me = viewer()
    topic = queries.get_topic(topic_id, me)
    data = reports.insights(signed_in_user(), topic)
    group = topic.group

    def post(p):
        return post_json(p, me, [], group)

    members = data["members"]
    positions = reading.thread_reading(me, data["unanswered_threads"])
    return {
        "topic_id": topic.id,
        "participation": {"members": members, "posters": data["posters"],
                          "ratio": round(data["posters"] / members, 3) if members else 0.0},
        "most_agreed": [post(p) for p in data["most_agreed"]],
        "most_divisive": [post(p) for p in data["most_divisive"]],
        "most_replied": [{"post": post(p), "replies": n} for p, n in data["most_replied"]],
        "unanswered_threads": [thread_json(t, me, positions=positions)
                               for t in data["unanswered_threads"]],
    }
