"""Each guarded action's whole precondition, once: who (rights) and in what state.

An action answers `True` or a `Refusal` carrying the HTTP status and the sentence shown to the
person as it is. Services call `require(...)`, which raises the matching error; the API puts
`can_json(...)` in each resource's `can`; templates and the live script only show what these say.
The order of the checks is the order a person would want to be told: can they see it at all,
are they signed in, are they a member, are they suspended, and only then the object's state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import format_datetime, gettext, lazy_gettext, ngettext
from sqlalchemy import func, select

from forum.errors import Conflict, NotFound, NotSignedIn, PermissionDenied, RateLimited
from forum.extensions import db
from forum.models import Post, Thread, Topic
from forum.permissions import rights
from forum.permissions.rights import (
    Viewer,
    _is_author,
    _signed_in,
    _suspended_groups,
    can_see_post,
    can_see_thread,
    can_see_topic,
    is_facilitator,
    is_member,
    is_moderator,
    role_in,
)

# Lazy: each reader gets them in their own language when they are shown.
PHASE_LABELS = {"discussion": lazy_gettext("Discussion"),
                "drafting": lazy_gettext("Drafting the response"),
                "signoff": lazy_gettext("Sign-off by member organisations"),
                "submitted": lazy_gettext("Submitted")}
# From drafting on, a member replies at most once per this many seconds per thread.
SLOWED_REPLY_SECONDS = 120


@dataclass(frozen=True)
class Refusal:
    """Why not: the status a door answers with and the sentence the person is shown."""

    status: int
    message: str
    retry_after: int | None = None
    remedy: str | None = None  # "sign_in" or "join": the step a page may link to

    def error(self):
        kinds = {401: NotSignedIn, 403: PermissionDenied, 404: NotFound, 409: Conflict}
        if self.status == 429:
            return RateLimited(self.message, retry_after=self.retry_after)
        return kinds[self.status](self.message)


Decision = bool | Refusal  # only ever True or a Refusal: test it with `is True`


def require(decision: Decision) -> None:
    """Raise the refusal's error; services call this before changing anything."""
    if decision is not True:
        raise decision.error()


def can_json(decision: Decision) -> bool | str:
    """`true`, or the sentence: the value of one key of a resource's `can`."""
    return True if decision is True else decision.message


# --- state of a topic -------------------------------------------------------------------------

def topic_accepts_contributions(topic: Topic) -> bool:
    """Threads and posts are accepted while the topic is open and its deadline has not passed."""
    if topic.status != "open":
        return False
    deadline = topic.response_deadline
    if deadline is not None and deadline.tzinfo is None:
        deadline = deadline.replace(tzinfo=UTC)
    return deadline is None or deadline > datetime.now(UTC)


def takes_new_threads(topic: Topic) -> bool:
    return topic.phase == "discussion"


def reply_interval(topic: Topic) -> int:
    return 0 if topic.phase == "discussion" else SLOWED_REPLY_SECONDS


def _topic_closed(topic: Topic) -> Refusal | None:
    if topic.status != "open":
        return Refusal(409, gettext("This topic is %(status)s: it takes no new contributions.",
                                    status=topic.status))
    if not topic_accepts_contributions(topic):
        return Refusal(409, gettext("The response deadline for this topic has passed."))
    return None


# --- who: the parts every action shares --------------------------------------------------------

def _until(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_datetime(value.astimezone(UTC), "d MMMM y, HH:mm zzz")


def _as_member(user: Viewer, group, doing: str) -> Refusal | None:
    """Signed in, a member of the group, not suspended in it: or the sentence saying which not."""
    if not _signed_in(user):
        return Refusal(401, gettext("Sign in to %(doing)s.", doing=doing), remedy="sign_in")
    if not is_member(user, group):
        if role_in(user, group) == "pending":
            return Refusal(403, gettext("Your request to join this group is waiting for a "
                                        "moderator: you can %(doing)s once it is accepted.",
                                        doing=doing))
        return Refusal(403, gettext("Join the group to %(doing)s.", doing=doing), remedy="join")
    until = _suspended_groups(user).get(group.id)
    if until is not None:
        return Refusal(403, gettext("You are suspended in this group until %(until)s: you "
                                    "cannot %(doing)s.", until=_until(until), doing=doing))
    return None


def _wait_sentence(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    if seconds < 60:
        return ngettext("%(num)d second", "%(num)d seconds", seconds)
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)


def _slow_mode(user: Viewer, thread: Thread) -> Refusal | None:
    """Slow mode (moderators exempt) and the slower pace from drafting on (facilitators exempt)."""
    group = thread.topic.group
    interval, by_phase = 0, False
    until = thread.slow_mode_until  # slow mode with an end time stops by itself
    ended = until is not None and (until if until.tzinfo else until.replace(tzinfo=UTC)) \
        <= datetime.now(UTC)
    if thread.slow_mode_seconds and not ended and not is_moderator(user, group):
        interval = thread.slow_mode_seconds
    if reply_interval(thread.topic) > interval and not is_facilitator(user, group):
        interval, by_phase = reply_interval(thread.topic), True
    if not interval:
        return None
    last = db.session.scalar(select(func.max(Post.created_at)).where(
        Post.thread_id == thread.id, Post.author_id == user.id))
    if last is None:
        return None
    if last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    wait = math.ceil(interval - (datetime.now(UTC) - last).total_seconds())
    if wait <= 0:
        return None
    who = gettext("The topic is being drafted, so replies are slowed") if by_phase else \
        gettext("The group's moderators have slowed replies in this thread")
    return Refusal(429, gettext("%(who)s: you may post again in %(wait_sentence)s.",
                                who=who, wait_sentence=_wait_sentence(wait)),
                   retry_after=max(1, wait))


# --- topics -----------------------------------------------------------------------------------

def start_thread(user: Viewer, topic: Topic) -> Decision:
    if not can_see_topic(user, topic):
        return Refusal(404, gettext("No such topic."))
    refusal = _as_member(user, topic.group, gettext("start a thread")) or _topic_closed(topic)
    if refusal:
        return refusal
    if not takes_new_threads(topic):
        return Refusal(409, gettext("This topic is in its %(lower)s phase: it takes replies, "
                                    "not new threads.", lower=PHASE_LABELS[topic.phase].lower()))
    return True


# --- threads ----------------------------------------------------------------------------------

def reply(user: Viewer, thread: Thread, *, with_pace: bool = True) -> Decision:
    """Reply to a thread. `with_pace=False` leaves out slow mode (one query) for long lists."""
    if not can_see_thread(user, thread):
        return Refusal(404, gettext("No such thread."))
    group = thread.topic.group
    refusal = _as_member(user, group, gettext("reply"))
    if refusal:
        return refusal
    if thread.locked and not is_moderator(user, group):
        return Refusal(409, gettext("This thread is locked."))
    refusal = _topic_closed(thread.topic) or (_slow_mode(user, thread) if with_pace else None)
    return refusal or True


def rename_thread(user: Viewer, thread: Thread) -> Decision:
    if not can_see_thread(user, thread):
        return Refusal(404, gettext("No such thread."))
    group = thread.topic.group
    if is_moderator(user, group):
        return True
    if not _is_author(user, thread.author_id):
        if not _signed_in(user):
            return Refusal(401, gettext("Sign in to rename a thread."))
        return Refusal(403, gettext("Only the thread's author or a moderator renames a "
                                    "thread."))
    return _as_member(user, group, gettext("rename your thread")) or True


def moderate_thread(user: Viewer, thread: Thread) -> Decision:
    """Lock, pin, slow and move (moving also needs moderator rights where it goes)."""
    if not can_see_thread(user, thread):
        return Refusal(404, gettext("No such thread."))
    if not _signed_in(user):
        return Refusal(401, gettext("Sign in to moderate."))
    if not is_moderator(user, thread.topic.group):
        return Refusal(403, gettext("Only the group's moderators lock, pin, slow or move "
                                    "threads."))
    return True


# --- posts ------------------------------------------------------------------------------------

def edit_post(user: Viewer, post: Post) -> Decision:
    if not can_see_post(user, post):
        return Refusal(404, gettext("No such post."))
    group = post.thread.topic.group
    if is_moderator(user, group):
        return True
    if not _signed_in(user):
        return Refusal(401, gettext("Sign in to edit your posts."))
    if not _is_author(user, post.author_id):
        return Refusal(403, gettext("Only the post's author or a moderator edits a post."))
    return _as_member(user, group, gettext("edit your posts")) or True


def react(user: Viewer, post: Post) -> Decision:
    if not _signed_in(user):  # first: a page of posts asks this for every post
        return Refusal(401, gettext("Sign in to react."))
    if not can_see_post(user, post):
        return Refusal(404, gettext("No such post."))
    refusal = _as_member(user, post.thread.topic.group, gettext("react"))
    if refusal:
        return refusal
    if post.pending:
        return Refusal(409, gettext("This post is waiting for a moderator: it takes no "
                                    "reactions yet."))
    if post.hidden:
        return Refusal(409, gettext("This post was hidden by a moderator: it takes no "
                                    "reactions."))
    return True


def flag(user: Viewer, post: Post) -> Decision:
    if not _signed_in(user):
        return Refusal(401, gettext("Sign in to flag a post."))
    if not can_see_post(user, post):
        return Refusal(404, gettext("No such post."))
    refusal = _as_member(user, post.thread.topic.group, gettext("flag posts"))
    if refusal:
        return refusal
    if _is_author(user, post.author_id):
        return Refusal(403, gettext("You cannot flag your own post."))
    return True


def moderate_post(user: Viewer, post: Post) -> Decision:
    """Hide, unhide, approve and reject."""
    if not _signed_in(user):
        return Refusal(401, gettext("Sign in to moderate."))
    if not can_see_post(user, post):
        return Refusal(404, gettext("No such post."))
    if not is_moderator(user, post.thread.topic.group):
        return Refusal(403, gettext("Only the group's moderators hide, approve or reject "
                                    "posts."))
    return True


# --- members ---------------------------------------------------------------------------------

def suspend_member(user: Viewer, group, member, member_role: str | None = None) -> Decision:
    """Suspend someone in a group: its moderators may, but not a moderator (only a site
    administrator suspends one of those) and never a site administrator. A list of members
    passes each one's `member_role` so asking costs no query per row."""
    if not _signed_in(user):
        return Refusal(401, gettext("Sign in to moderate."), remedy="sign_in")
    if not is_moderator(user, group):
        return Refusal(403, gettext("Only the group's moderators suspend members."))
    role = member_role if member_role is not None else role_in(member, group)
    if getattr(member, "is_admin", False) or (role == "moderator"
                                              and not getattr(user, "is_admin", False)):
        return Refusal(403, gettext("Moderators and site administrators cannot be suspended "
                                    "here."))
    return True


# --- facilitators' work and sign-off ------------------------------------------------------------

def _as_facilitator(user: Viewer, group, doing: str) -> Refusal | None:
    if not _signed_in(user):
        return Refusal(401, gettext("Sign in to %(doing)s.", doing=doing), remedy="sign_in")
    if not is_facilitator(user, group):
        return Refusal(403, gettext("Only the group's facilitators %(doing)s.", doing=doing))
    return None


def create_topic(user: Viewer, group) -> Decision:
    return _as_facilitator(user, group, gettext("open topics")) or True


def edit_topic(user: Viewer, topic: Topic) -> Decision:
    """Change the topic, its questions and its phase."""
    if not can_see_topic(user, topic):
        return Refusal(404, gettext("No such topic."))
    return _as_facilitator(user, topic.group, gettext("change a topic")) or True


def write_summary(user: Viewer, topic: Topic) -> Decision:
    """Draft, cite posts in, publish and put to sign-off a summary; see its drafts."""
    if not can_see_topic(user, topic):
        return Refusal(404, gettext("No such topic."))
    return _as_facilitator(user, topic.group, gettext("write summaries")) or True


def translate(user: Viewer, topic: Topic, kind: str) -> Decision:
    """Add, change or remove a version of the briefing (whoever changes the topic) or of the
    published summary (whoever writes summaries) in another language or in easy-read English."""
    return edit_topic(user, topic) if kind == "briefing" else write_summary(user, topic)


def vote_in_signoff(user: Viewer, topic: Topic) -> Decision:
    """A member of the group (a real membership, not admin rights) who speaks for an
    organisation casts that organisation's voice while a sign-off is open."""
    from forum.models import SignOff

    if not can_see_topic(user, topic):
        return Refusal(404, gettext("No such topic."))
    group = topic.group
    if _signed_in(user) and getattr(user, "is_admin", False) and role_in(user, group) is None:
        return Refusal(403, gettext("Only members of the group vote in its sign-off."))
    refusal = _as_member(user, group, gettext("vote in the sign-off"))
    if refusal:
        return refusal
    if getattr(user, "organisation_id", None) is None:
        return Refusal(403, gettext("Only members who speak for a member organisation vote "
                                    "in the sign-off: ask a site administrator to add yours."))
    latest = db.session.scalar(select(SignOff).where(SignOff.topic_id == topic.id)
                               .order_by(SignOff.id.desc()).limit(1))
    if latest is None or not latest.is_open:
        return Refusal(409, gettext("No sign-off is open on this topic."))
    return True


# --- rules of who alone: whatever the state, only these people --------------------------------

def _only(user: Viewer, allowed: bool, sentence: str) -> Decision:
    if allowed:
        return True
    if not _signed_in(user):
        return Refusal(401, gettext("Sign in to do this."), remedy="sign_in")
    return Refusal(403, sentence)


def administer(user: Viewer) -> Decision:
    return _only(user, rights.is_admin(user), gettext("Only site administrators do this."))


def manage_organisations(user: Viewer) -> Decision:
    return _only(user, rights.can_manage_organisations(user),
                 gettext("Only site administrators manage organisations."))


def invite(user: Viewer, group) -> Decision:
    return _only(user, rights.can_manage_members(user, group),
                 gettext("Only the group's moderators invite people."))


def see_invitations(user: Viewer, group) -> Decision:
    return _only(user, rights.can_manage_members(user, group),
                 gettext("Only the group's moderators see invitations."))


def revoke_invitation(user: Viewer, group) -> Decision:
    return _only(user, rights.can_manage_members(user, group),
                 gettext("Only the group's moderators revoke invitations."))


def moderate_group(user: Viewer, group) -> Decision:
    """Every moderators' tool of a group that has no rule of its own."""
    return _only(user, rights.can_moderate_group(user, group),
                 gettext("Only the group's moderators do this."))


def read_moderation_log(user: Viewer, group) -> Decision:
    return _only(user, rights.can_moderate_group(user, group),
                 gettext("Only the group's moderators read the moderation log."))


def see_revisions(user: Viewer, post: Post) -> Decision:
    return _only(user, rights.can_see_revisions(user, post),
                 gettext("Only the author and moderators see earlier versions."))


def see_insights(user: Viewer, topic: Topic) -> Decision:
    return _only(user, rights.can_download_report(user, topic),
                 gettext("Only the group's facilitators and moderators see insights."))


def download_report(user: Viewer, topic: Topic) -> Decision:
    return _only(user, rights.can_download_report(user, topic),
                 gettext("Only the group's facilitators and moderators download reports."))


def see_response(user: Viewer, topic: Topic, published: bool) -> Decision:
    return _only(user, rights.can_see_response(user, topic, published),
                 gettext("Only facilitators see the response before it is published."))


def see_draft_coverage(user: Viewer, topic: Topic) -> Decision:
    return _only(user, rights.can_see_summary_drafts(user, topic),
                 gettext("Only facilitators and moderators see a draft's coverage."))


# --- the `can` objects of the API's resources ---------------------------------------------------

def topic_can(user: Viewer, topic: Topic) -> dict[str, bool | str]:
    return {"start_thread": can_json(start_thread(user, topic))}


def thread_can(user: Viewer, thread: Thread, *, with_pace: bool = True) -> dict[str, bool | str]:
    return {"reply": can_json(reply(user, thread, with_pace=with_pace))}


def post_can(user: Viewer, post: Post) -> dict[str, bool | str]:
    return {"edit": can_json(edit_post(user, post)), "react": can_json(react(user, post)),
            "flag": can_json(flag(user, post)), "moderate": can_json(moderate_post(user, post))}


# What the post rules above read of a post besides its thread: whether the viewer wrote it and
# these flags. A page of one thread's posts asks them once per distinct combination (mostly one
# or two), not once per post: a rule that comes to read anything else of a post must add it here.
POST_STATE = ("pending", "hidden", "rejected")


def post_kind(user: Viewer, post) -> tuple:
    """(whether the user wrote it, *POST_STATE): posts of one thread alike in this get the same
    answers from every post rule."""
    return (_is_author(user, post.author_id), *(getattr(post, name) for name in POST_STATE))


def post_can_for_page(user: Viewer, posts) -> dict[int, dict[str, bool | str]]:
    """post id -> `post_can`, for posts of one thread."""
    answers: dict[tuple, dict[str, bool | str]] = {}
    by_post = {}
    for post in posts:
        key = post_kind(user, post)
        if key not in answers:
            answers[key] = post_can(user, post)
        by_post[post.id] = answers[key]
    return by_post
