"""Home page: my groups, the groups I may join, and recent activity."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from forum import permissions as perm
from forum.extensions import db
from forum.models import Group, Thread, Topic
from forum.services import agenda, queries, reading
from forum.web import bp
from forum.web.helpers import viewer


@bp.route("/")
def home():
    me = viewer()
    groups = queries.list_groups(me, 1, 100).items
    mine = [g for g in groups if perm.role_in(me, g) not in (None, "pending")]
    others = [g for g in groups if g not in mine]
    recent = db.session.scalars(
        perm.visible_groups(select(Thread).join(Topic, Topic.id == Thread.topic_id)
                            .join(Group, Group.id == Topic.group_id), me)
        .where(Thread.pending.is_(False)).order_by(Thread.last_post_at.desc()).limit(10)).all()
    signed_in = me.is_authenticated
    return render_template("home.html", mine=mine, others=others, recent=recent,
                           positions=reading.thread_reading(me, recent),
                           agenda=agenda.agenda(me) if signed_in else [])
