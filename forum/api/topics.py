"""Topics and their threads."""

from __future__ import annotations

from forum import ratelimits
from forum.api import PAGINATION, operation, page_args, page_json, signed_in_user, viewer
from forum.api import schemas as s
from forum.serializers import thread_json, topic_json
from forum.services import queries, reading
from forum.services import threads as thread_service
from forum.services import topics as topic_service


@operation("/topics/<id:topic_id>", "GET", summary="One topic", response=s.Topic, errors=(404,))
def topic(topic_id: int):
    me = viewer()
    return topic_json(queries.get_topic(topic_id, me), me)


@operation("/topics/<id:topic_id>", "PATCH", summary="Change a topic", body=s.TopicUpdate,
           response=s.Topic, errors=(401, 403, 404), auth="required")
def update_topic(topic_id: int, data: s.TopicUpdate):
    me = viewer()
    topic = queries.get_topic(topic_id, me)
    # null leaves the title and status alone (only the dates are cleared by null)
    changes = {name: getattr(data, name) for name in data.model_fields_set
               if getattr(data, name) is not None or name not in ("title", "status")}
    return topic_json(topic_service.update_topic(signed_in_user(), topic, **changes), me)


@operation("/topics/<id:topic_id>/threads", "GET",
           summary="Threads of a topic, pinned first, then by last post",
           response=s.page_of(s.Thread), errors=(404,), query=PAGINATION)
def topic_threads(topic_id: int):
    me = viewer()
    topic = queries.get_topic(topic_id, me)
    page, per_page = page_args()
    result = queries.list_threads(topic, me, page, per_page)
    positions = reading.thread_reading(me, result.items)
    return page_json(result, lambda t: thread_json(t, me, positions=positions))


@operation("/topics/<id:topic_id>/threads", "POST", summary="Start a thread with its first post",
           body=s.ThreadCreate, response=s.Thread, status=201, errors=(401, 403, 404, 409, 413),
           auth="required",
           limits=(ratelimits.thread_starting,))
def create_thread(topic_id: int, data: s.ThreadCreate):
    me = viewer()
    topic = queries.get_topic(topic_id, me)
    thread = thread_service.create_thread(me, topic, data.title, data.body,
                                          data.question_id)
    return thread_json(thread, me)
