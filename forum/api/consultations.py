"""From debate to response: questions, phases, sign-off, coverage and the response export."""

from __future__ import annotations
from flask_babel import gettext

from forum.api import operation, signed_in_user, viewer, whole_list_json
from forum.api import schemas as s
from forum.api.conversations import as_download, download_format
from forum.errors import NotFound
from forum.permissions import actions
from forum.serializers import (
    iso,
    organisation_json,
    question_json,
    signoff_json,
    topic_json,
    user_ref,
    vote_json,
)
from forum.services import phases, queries, questions, reports, signoff, summaries


@operation("/topics/<id:topic_id>/questions", "GET",
           summary="The topic's consultation questions, in order", response=s.QuestionList,
           errors=(404,))
def topic_questions(topic_id: int):
    topic = queries.get_topic(topic_id, viewer())
    return whole_list_json([question_json(q) for q in questions.list_questions(topic)])


@operation("/topics/<id:topic_id>/questions", "PUT",
           summary="Replace the questions (until the topic opens, or its first thread)",
           body=s.QuestionsSet, response=s.QuestionList, errors=(401, 403, 404, 409),
           auth="required")
def set_topic_questions(topic_id: int, data: s.QuestionsSet):
    topic = queries.get_topic(topic_id, viewer())
    result = questions.set_questions(signed_in_user(), topic, data.questions)
    return whole_list_json([question_json(q) for q in result])


@operation("/topics/<id:topic_id>/phase", "POST",
           summary="Move the topic to a phase: discussion, drafting (no new threads, replies "
                   "slowed) or submitted; sign-off starts with POST .../signoff",
           body=s.PhaseSet, response=s.Topic, errors=(401, 403, 404, 409), auth="required")
def set_topic_phase(topic_id: int, data: s.PhaseSet):
    me = viewer()
    topic = queries.get_topic(topic_id, me)
    return topic_json(phases.set_phase(signed_in_user(), topic, data.phase, data.deadline), me)


def _signoff_json(topic, me):
    return signoff_json(signoff.signoff_view(me, topic), me, topic.group)


@operation("/topics/<id:topic_id>/signoff", "GET",
           summary="The topic's latest sign-off: paragraphs, tallies, the caller's "
                   "organisation's votes (404 if none)",
           response=s.SignOff, errors=(404,))
def topic_signoff(topic_id: int):
    me = viewer()
    return _signoff_json(queries.get_topic(topic_id, me), me)


@operation("/topics/<id:topic_id>/signoff", "POST",
           summary="Put a summary version (the latest by default) to sign-off by the member "
                   "organisations", body=s.SignOffOpen, response=s.SignOff, status=201,
           errors=(401, 403, 404, 409), auth="required")
def open_signoff(topic_id: int, data: s.SignOffOpen):
    me = viewer()
    topic = queries.get_topic(topic_id, me)
    signoff.open_signoff(signed_in_user(), topic, data.version, data.closes_at)
    return _signoff_json(topic, me)


@operation("/topics/<id:topic_id>/signoff/paragraphs/<id:number>/vote", "PUT",
           summary="Cast (or change) the caller's organisation's voice on a paragraph",
           body=s.VoteCast, response=s.Vote, errors=(401, 403, 404, 409), auth="required")
def cast_vote(topic_id: int, number: int, data: s.VoteCast):
    topic = queries.get_topic(topic_id, viewer())
    vote = signoff.cast_vote(signed_in_user(), topic, number, data.stance, data.reason,
                             data.open_thread)
    return vote_json(vote)


@operation("/topics/<id:topic_id>/signoff/close", "POST",
           summary="Close the sign-off (freezes it); publish: true publishes the version",
           body=s.SignOffClose, response=s.SignOff, errors=(401, 403, 404, 409),
           auth="required")
def close_signoff(topic_id: int, data: s.SignOffClose):
    me = viewer()
    topic = queries.get_topic(topic_id, me)
    signoff.close_signoff(signed_in_user(), topic, data.publish, data.submit)
    return _signoff_json(topic, me)


@operation("/topics/<id:topic_id>/signoff/history", "GET",
           summary="Every sign-off view cast or changed: who, when, from what to what "
                   "(facilitators)", response=s.VoteHistory, errors=(401, 403, 404),
           auth="required")
def signoff_history(topic_id: int):
    me = viewer()
    topic = queries.get_topic(topic_id, me)
    actions.require(actions.write_summary(signed_in_user(), topic))
    current = signoff.current_signoff(topic)
    if current is None:
        raise NotFound(gettext("This topic has not been put to sign-off."))
    return {"items": [{
        "paragraph": number, "organisation": c.organisation.name,
        "changed_by": user_ref(c.changed_by) if c.changed_by else None,
        "changed_at": iso(c.changed_at), "from_stance": c.from_stance, "to_stance": c.to_stance,
        "from_reason": c.from_reason, "to_reason": c.to_reason}
        for number, c in signoff.vote_history(current)]}


@operation("/topics/<id:topic_id>/summary/coverage", "GET",
           summary="What the latest draft does not cite yet, and which citations went stale",
           response=s.Coverage, errors=(401, 403, 404), auth="required")
def summary_coverage(topic_id: int):
    topic = queries.get_topic(topic_id, viewer())
    user = signed_in_user()
    draft = summaries.latest_version(topic)
    result = summaries.coverage(user, topic, draft)
    cites = summaries.citations(draft) if draft is not None else []
    return {
        "version": draft.version if draft is not None else None,
        "citations": [{"number": c.number, "post_id": c.post.id,
                       "cited_revision": c.cited_revision, "state": c.state} for c in cites],
        "uncited_threads": [t.id for t in result["threads"]],
        "uncited_questions": [q.id for q in result["questions"]],
        "uncited_organisations": [organisation_json(o) for o in result["organisations"]],
    }


@operation("/topics/<id:topic_id>/response", "GET",
           summary="The consultation response as a download: the published summary with "
                   "endorsements, footnotes quoting the cited posts (consent to quote applied) "
                   "and the annex of dissent; Markdown or CSV (one row per cited post)",
           errors=(401, 403, 404), produces="text/markdown",
           query={"format": ("string", "md (default) or csv",
                             {"enum": ["md", "csv"], "default": "md"})})
def topic_response(topic_id: int):
    fmt = download_format()
    topic = queries.get_topic(topic_id, viewer())
    return as_download(reports.build_response(viewer(), topic, fmt))
