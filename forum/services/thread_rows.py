"""A thread with its topic and group, read as plain rows: for the API's pages of posts.

Loading a thread as ORM objects (the thread, its topic, its group) cost three times what the
same row costs read plainly, on the busiest read there is. These rows carry every column of
their model under the same names, and the model's own properties and methods (`is_private`),
so the rules in `forum.permissions` read them unchanged; they lead only to `thread.topic` and
`topic.group`. They are read-only: whatever changes a thread loads the real one.
"""

from __future__ import annotations

from types import FunctionType

from sqlalchemy import bindparam, inspect, select

from forum.db import run
from forum.models import Group, Thread, Topic


def _row_class(model, links: tuple[str, ...] = ()) -> type:
    columns = tuple(attribute.key for attribute in inspect(model).column_attrs)
    namespace = {"__slots__": columns + links, "columns": columns,
                 "__doc__": f"A read-only row of {model.__name__} (thread_rows)."}
    for name, value in vars(model).items():
        if not name.startswith("_") and isinstance(value, property | FunctionType):
            namespace[name] = value
    return type(f"{model.__name__}Row", (), namespace)


GroupRow = _row_class(Group)
TopicRow = _row_class(Topic, ("group",))
ThreadRow = _row_class(Thread, ("topic",))

_THREAD = (
    select(*(getattr(Thread, name) for name in ThreadRow.columns),
           *(getattr(Topic, name) for name in TopicRow.columns),
           *(getattr(Group, name) for name in GroupRow.columns))
    .join_from(Thread, Topic, Thread.topic_id == Topic.id)
    .join(Group, Topic.group_id == Group.id)
    .where(Thread.id == bindparam("thread")))


def _filled(row_class: type, values) -> object:
    row = row_class.__new__(row_class)
    for name, value in zip(row_class.columns, values, strict=True):
        setattr(row, name, value)
    return row


def read_thread(thread_id: int):
    """The thread with this id as a ThreadRow (its topic and group as rows), or None."""
    values = run(_THREAD, {"thread": thread_id}).first()
    if values is None:
        return None
    threads, topics = len(ThreadRow.columns), len(TopicRow.columns)
    thread = _filled(ThreadRow, values[:threads])
    thread.topic = _filled(TopicRow, values[threads:threads + topics])
    thread.topic.group = _filled(GroupRow, values[threads + topics:])
    return thread
