"""Request and response schemas: they validate input and generate the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from forum.services.validation import MAX_ID

Visibility = Literal["public", "private"]
JoinPolicy = Literal["open", "request", "invite"]
Role = Literal["member", "facilitator", "moderator"]
TopicStatus = Literal["upcoming", "open", "concluded", "archived"]
ReactionKind = Literal["agree", "disagree", "thanks"]
Phase = Literal["discussion", "drafting", "signoff", "submitted"]
Consent = Literal["attributable", "anonymised", "not_quoted"]
Stance = Literal["endorse", "object", "abstain"]
# Every id the API accepts fits the database's 32-bit columns; a larger one is bad input (400).
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

# What the services' text checks (forum.services.validation) accept, as JSON Schema patterns, so
# the document refuses exactly what the server refuses: around a value, Python's str.strip()
# whitespace is dropped; a one-line field holds no control character; no text holds a NUL.
_WS = (r"\t\n\u000b\u000c\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029"
       r"\u202f\u205f\u3000")
_CTRL = r"\u0000-\u001f\u007f-\u009f\u2028\u2029"
_CORE = rf"[^{_WS}{_CTRL}](?:[^{_CTRL}]*[^{_WS}{_CTRL}])?"
ONE_LINE = {"pattern": rf"^[{_WS}]*{_CORE}[{_WS}]*$"}
OPTIONAL_LINE = {"pattern": rf"^[{_WS}]*(?:{_CORE}[{_WS}]*)?$"}
NOT_BLANK = {"pattern": rf"^[^\u0000]*[^{_WS}\u0000][^\u0000]*$"}
_NO_NUL = r"^[^\u0000]*$"
# The services' own address rule (forum.services.accounts.EMAIL), wider than RFC 5322's.
# No spaces and no control characters, listed out so JSON Schema's and Python's \s agree.
_ADDRESS = (r"[^@\s\u0000-\u001f\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f"
            r"\u3000\ufeff]")
EMAIL = {"pattern": rf"^[{_WS}]*{_ADDRESS}{{1,64}}@{_ADDRESS}{{1,189}}\.{_ADDRESS}{{2,}}[{_WS}]*$"}
# Blank questions are dropped; the others are one line each (forum.services.questions).
QuestionText = Annotated[str, Field(json_schema_extra={**OPTIONAL_LINE, "maxLength": 2000})]
# A Markdown body counts UTF-8 bytes: over 65,536 answers 413 (API.md).
BODY = {**NOT_BLANK,
        "description": "Markdown; at most 65,536 bytes of UTF-8 (413 beyond)"}


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, (list, tuple)):
        return any(_has_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_has_nul(item) for item in value.values())
    return False


def _document_no_nul(schema: dict, _model=None) -> None:
    """Every free-text string of a request says it holds no NUL (the validator below)."""
    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(node):
                node["pattern"] = _NO_NUL
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(schema.get("properties", {}))


class Request(BaseModel):
    # strict: "title": 5 is bad input, not "5"; unknown fields are ignored (clients may add).
    model_config = ConfigDict(strict=True, extra="ignore", json_schema_extra=_document_no_nul)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value):
        # PostgreSQL cannot store NUL in text: refused here, field by field, for every body.
        if _has_nul(value):
            raise PydanticCustomError("nul_character", "Must not contain a NUL character.")
        return value


class Response(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- requests ---------------------------------------------------------------------------------

class GroupCreate(Request):
    slug: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
    name: str = Field(min_length=1, max_length=120, json_schema_extra=ONE_LINE)
    description: str = Field(default="", max_length=5000)
    visibility: Visibility = "public"
    join_policy: JoinPolicy = "open"
    premoderate: bool = False


class GroupUpdate(Request):
    name: str | None = Field(default=None, min_length=1, max_length=120,
                             json_schema_extra=ONE_LINE)
    description: str | None = Field(default=None, max_length=5000)
    visibility: Visibility | None = None
    join_policy: JoinPolicy | None = None
    premoderate: bool | None = None
    auto_hide_flag_count: int | None = Field(
        default=None, ge=1, le=1000,
        description="Hide a post once this many members flag it; null turns it off")
    retention_months: int | None = Field(
        default=None, ge=1, le=600,
        description="Remove archived topics' posts this many months on; null keeps them")


class MemberSet(Request):
    role: Role = "member"


class TopicCreate(Request):
    title: str = Field(min_length=1, max_length=200, json_schema_extra=ONE_LINE)
    briefing: str = ""
    status: TopicStatus = "open"
    event_at: AwareDatetime | None = None
    response_deadline: AwareDatetime | None = None
    questions: list[QuestionText] = Field(default_factory=list, max_length=50,
                                 description="The consultation's numbered questions, in order")


class TopicUpdate(Request):
    title: str | None = Field(default=None, min_length=1, max_length=200,
                              json_schema_extra=ONE_LINE)
    briefing: str | None = None
    status: TopicStatus | None = None
    event_at: AwareDatetime | None = None
    response_deadline: AwareDatetime | None = None


class ThreadCreate(Request):
    title: str = Field(min_length=1, max_length=200, json_schema_extra=ONE_LINE)
    body: str = Field(json_schema_extra=BODY)
    question_id: int | None = Field(default=None, ge=1, le=MAX_ID,
                                    description="The topic's question this thread answers")


class ThreadUpdate(Request):
    title: str | None = Field(default=None, min_length=1, max_length=200,
                              json_schema_extra=ONE_LINE)
    locked: bool | None = None
    pinned: bool | None = None
    topic_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    slow_mode_seconds: int | None = Field(default=None, ge=0, le=86400)
    slow_mode_until: AwareDatetime | None = Field(
        default=None, description="Slow mode ends by itself at this time; null: until turned off")
    reason: str | None = Field(default=None, max_length=1000,
                               description="Why (moving): kept in the moderation log")
    question_id: int | None = Field(default=None, ge=1, le=MAX_ID,
                                    description="Tag with a question of the topic; null clears")


class PostCreate(Request):
    body: str = Field(json_schema_extra=BODY)
    reply_to: int | None = Field(default=None, ge=1, le=MAX_ID)
    question_id: int | None = Field(default=None, ge=1, le=MAX_ID,
                                    description="The question this post answers, if not its "
                                                "thread's")


class QuestionsSet(Request):
    questions: list[QuestionText] = Field(max_length=50,
                                          description="One text per question, in order")


class PhaseSet(Request):
    phase: Phase
    deadline: AwareDatetime | None = Field(default=None, description="The phase's deadline")


class SignOffOpen(Request):
    version: int | None = Field(default=None, ge=1, le=MAX_ID,
                                description="The summary version (default: the latest)")
    closes_at: AwareDatetime | None = None


class SignOffClose(Request):
    publish: bool = Field(default=False, description="Publish the version signed off")
    submit: bool = Field(default=True, description="With publish: move the topic to the "
                         "submitted phase (false keeps it in sign-off)")


class VoteCast(Request):
    stance: Stance
    reason: str = Field(default="", max_length=4000,
                        description="Required for an objection")
    open_thread: bool = Field(default=False,
                              description="An objection opens a thread about the paragraph")


class ConsentSet(Request):
    level: Consent


class PostConsentSet(Request):
    level: Consent | None = Field(description="null: follow the group-wide answer")


class OrganisationCreate(Request):
    name: str = Field(min_length=1, max_length=160, json_schema_extra=ONE_LINE)
    region: str = Field(default="", max_length=80, json_schema_extra=OPTIONAL_LINE)


class OrganisationUpdate(Request):
    name: str | None = Field(default=None, min_length=1, max_length=160,
                             json_schema_extra=ONE_LINE)
    region: str | None = Field(default=None, max_length=80, json_schema_extra=OPTIONAL_LINE)


class OrganisationAssign(Request):
    organisation_id: int | None = Field(ge=1, le=MAX_ID,
                                        description="null: the account speaks for none")


class PostEdit(Request):
    body: str = Field(json_schema_extra=BODY)
    reason: str | None = Field(default=None, max_length=500)


class FlagCreate(Request):
    reason: Literal["spam", "abusive", "off_topic", "other"]
    note: str | None = Field(default=None, max_length=1000)


class FlagResolve(Request):
    action: Literal["dismiss", "hide"]


class HideRequest(Request):
    reason: str = Field(min_length=1, max_length=1000, json_schema_extra=NOT_BLANK)


class RejectRequest(Request):
    reason: str | None = Field(default=None, max_length=1000)


class ApproveRequest(Request):
    body: str | None = Field(default=None, description="The text to publish, if the moderator "
                             "edited it (the author's words stay in the post's history)")
    reason: str | None = Field(default=None, max_length=500,
                               description="Why it was edited (shown in the history)")


class ThreadSplit(Request):
    post_ids: list[int] = Field(min_length=1, max_length=500,
                                description="Replies to move (never the opening post)")
    title: str = Field(min_length=1, max_length=200, json_schema_extra=ONE_LINE)
    reason: str | None = Field(default=None, max_length=500)


class ThreadMerge(Request):
    into_thread_id: int = Field(ge=1, le=MAX_ID, description="The thread that receives every "
                                "post; this one is removed")
    reason: str | None = Field(default=None, max_length=500)


class SummaryCreate(Request):
    body: str = Field(json_schema_extra=BODY)
    publish: bool = False
    cited_post_ids: list[Id] = Field(default_factory=list, max_length=500)


class NotificationsRead(Request):
    ids: list[Id] | None = Field(default=None, max_length=1000,
                                  description="Notification ids; omit to mark all read")


MailMode = Literal["none", "immediate", "digest"]


class MailPreferences(Request):
    """Per notification kind: mail it at once, in the daily digest, or not at all."""

    mention: MailMode | None = None
    reply: MailMode | None = None
    quote: MailMode | None = None
    summary: MailMode | None = None
    moderation: MailMode | None = None
    membership: MailMode | None = None
    conversation: MailMode | None = None
    post: MailMode | None = None


class ProfileUpdate(Request):
    display_name: str | None = Field(default=None, min_length=1, max_length=80,
                                     json_schema_extra=ONE_LINE)
    locale: str | None = Field(
        default=None, max_length=16,
        description="A code from GET /locales; null goes back to the browser's choice")
    timezone: str | None = Field(
        default=None, max_length=64,
        description="An IANA time zone such as Europe/London; null means UTC")


class EmailChange(Request):
    email: str = Field(max_length=254, json_schema_extra=EMAIL)


class PasswordChange(Request):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class DisableAccount(Request):
    reason: str = Field(default="", max_length=1000)


class InvitationCreate(Request):
    email: str | None = Field(default=None, max_length=254, json_schema_extra=EMAIL)
    username: str | None = Field(default=None, max_length=32, json_schema_extra=ONE_LINE)
    role: Role = "member"


class Erasure(Request):
    keep_posts: bool = Field(
        default=True, description="Keep the posts under 'Former member' (true) or remove them")


class SuspensionSet(Request):
    until: AwareDatetime
    reason: str = Field(min_length=1, max_length=1000)


# --- responses --------------------------------------------------------------------------------

class UserRef(Response):
    username: str | None
    display_name: str


class GroupRef(Response):
    slug: str
    name: str


class Group(Response):
    id: int
    slug: str
    name: str
    description: str
    visibility: Visibility
    join_policy: JoinPolicy
    premoderate: bool
    member_count: int
    my_role: Literal["pending", "member", "facilitator", "moderator"] | None
    auto_hide_flag_count: int | None
    retention_months: int | None


class Membership(Response):
    username: str | None
    display_name: str
    role: Literal["pending", "member", "facilitator", "moderator"]


class JoinResult(Response):
    status: Literal["member", "pending"]


Verdict = Literal[True] | str
_VERDICT = ("`true`, or the sentence saying why not, to show to the caller as it is "
            "(\"Sign in to reply.\", \"This thread is locked.\")")


class TopicCan(Response):
    start_thread: Verdict = Field(description=_VERDICT)


class ThreadCan(Response):
    reply: Verdict = Field(description=_VERDICT)


class PostCan(Response):
    edit: Verdict = Field(description=_VERDICT)
    react: Verdict = Field(description=_VERDICT)
    flag: Verdict = Field(description=_VERDICT)
    moderate: Verdict = Field(description="Hide, unhide, approve or reject: " + _VERDICT)


class Topic(Response):
    id: int
    group: GroupRef
    title: str
    briefing_markdown: str
    briefing_html: str
    status: TopicStatus
    event_at: str | None = Field(description="ISO 8601 UTC with Z")
    response_deadline: str | None = Field(description="ISO 8601 UTC with Z")
    thread_count: int
    has_summary: bool
    phase: Phase
    phase_deadline: str | None = Field(description="ISO 8601 UTC with Z")
    can: TopicCan | None = Field(default=None, description="What the caller may do, and why not "
                                 "(left out of live events, which go to a whole audience)")
    unread_count: int | None = Field(
        default=None, description="Posts new to the caller over the threads they see; null for "
        "anonymous callers (left out of live events)")


class Reactions(Response):
    agree: int
    disagree: int
    thanks: int


class Post(Response):
    id: int
    thread_id: int
    author: UserRef
    body_markdown: str | None
    body_html: str | None
    created_at: str
    edited_at: str | None
    hidden: bool
    pending: bool
    reply_to: int | None
    reactions: Reactions
    my_reactions: list[ReactionKind]
    cited: bool = Field(default=False, description="A published summary cites this post")
    question_id: int | None = None
    quote_consent: Consent | None = Field(
        default=None, description="The author's override for this post (null: group-wide)")
    can: PostCan | None = Field(default=None, description="What the caller may do, and why not "
                                "(left out of live events, which go to a whole audience)")


class Thread(Response):
    id: int
    topic_id: int
    title: str
    author: UserRef
    created_at: str
    last_post_at: str
    post_count: int
    locked: bool
    pinned: bool
    pending: bool
    slow_mode_seconds: int
    slow_mode_until: str | None = Field(default=None, description="When slow mode ends by itself")
    question_id: int | None = None
    signoff_paragraph_id: int | None = Field(
        default=None, description="Set on a thread opened by an objection in sign-off")
    can: ThreadCan | None = Field(default=None, description="What the caller may do, and why "
                                  "not (left out of live events, which go to a whole audience)")
    first_post: Post | None = None
    last_read_post_id: int | None = Field(
        default=None, description="The caller's read position (null before the first visit, "
        "and for anonymous callers)")
    unread_count: int | None = Field(
        default=None, description="Published posts after the read position that the caller "
        "may see, their own excluded; null for anonymous callers")


class Revision(Response):
    revision: int
    body_markdown: str
    body_html: str
    created_at: str
    replaced_at: str
    editor: UserRef
    reason: str | None


class Flag(Response):
    id: int
    post_id: int
    reporter: UserRef
    reason: Literal["spam", "abusive", "off_topic", "other"]
    note: str
    status: Literal["open", "dismissed", "actioned"]
    created_at: str


class QueueItem(Response):
    type: Literal["flags", "pending"]
    post: Post
    thread: Thread
    flags: list[Flag]


class ModerationEntry(Response):
    id: int
    action: str
    actor: UserRef
    target_type: str
    target_id: int
    reason: str
    created_at: str


class Suspension(Response):
    username: str | None
    display_name: str
    until: str
    reason: str


class Summary(Response):
    topic_id: int
    version: int
    body_markdown: str
    body_html: str
    author: UserRef
    published_at: str | None
    cited_post_ids: list[int]
    published: bool
    stale_post_ids: list[int] = Field(
        default_factory=list,
        description="Cited posts edited, hidden or erased since the summary cited them")


class Notification(Response):
    id: int
    kind: Literal["mention", "reply", "quote", "summary", "moderation", "membership",
                  "conversation", "post"] = Field(
        description="conversation: a topic's phase, sign-off and deadline reminders; "
                    "post: a new post in what the receiver watches")
    created_at: str
    read: bool
    url: str
    text: str


class NotificationPage(Response):
    items: list[Notification]
    page: int
    per_page: int
    total: int
    unread: int


class MarkedRead(Response):
    marked: int
    unread: int


class SearchResult(Response):
    type: Literal["topic", "thread", "post", "summary"]
    id: int
    title: str
    snippet: str = Field(description="Sanitised HTML: matches wrapped in <mark>")
    url: str
    author: UserRef | None = Field(default=None, description="Of a post or thread")
    created_at: str | None = None
    group: GroupRef | None = None
    topic: TopicRef | None = None


class TopicRef(Response):
    id: int
    title: str


class SearchResults(Response):
    results: list[SearchResult]
    page: int = 1
    per_page: int = 20
    total: int = 0


class RepliedPost(Response):
    post: Post
    replies: int


class Insights(Response):
    topic_id: int
    participation: dict[str, int | float]
    most_agreed: list[Post]
    most_divisive: list[Post]
    most_replied: list[RepliedPost]
    unanswered_threads: list[Thread]


class MailPreferencesOut(Response):
    mention: MailMode
    reply: MailMode
    quote: MailMode
    summary: MailMode
    moderation: MailMode
    membership: MailMode
    conversation: MailMode
    post: MailMode


class AuditEntry(Response):
    id: int
    action: str
    actor: UserRef
    target_type: str
    target_id: int
    details: str
    created_at: str


class AccountState(Response):
    username: str
    display_name: str
    disabled: bool
    approved: bool


class Export(Response):
    profile: dict[str, str | bool | None]
    memberships: list[dict[str, str | None]]
    posts: list[dict[str, str | int | bool | None | list[dict[str, str | int | None]]]]
    reactions: list[dict[str, str | int | None]]
    flags_raised: list[dict[str, str | int | None]]
    notifications: list[dict[str, str | bool | None]]
    mail_preferences: dict[str, str]
    api_tokens: list[dict[str, str | None]]
    organisation: str | None = None
    quoting: list[dict[str, str]] = Field(default_factory=list)
    post_quoting_overrides: list[dict[str, str | int]] = Field(default_factory=list)
    uploads: list[dict[str, str | int | None]] = Field(
        default_factory=list, description="Metadata of the documents the person uploaded")
    event_answers: list[dict[str, str | int | bool | None]] = Field(default_factory=list)


class Invitation(Response):
    id: int
    group: GroupRef
    email: str | None
    username: str | None
    role: Role
    status: Literal["open", "accepted", "expired", "revoked"]
    created_at: str
    expires_at: str


class PasswordChanged(Response):
    token: str | None = Field(description="The caller's new API token, when it used one")


class Organisation(Response):
    id: int
    name: str
    region: str
    member_count: int | None = None


class Question(Response):
    id: int
    number: int
    text: str


class QuestionList(Response):
    items: list[Question]
    page: int
    per_page: int
    total: int


class Objection(Response):
    organisation: str
    reason: str
    thread_id: int | None


class Vote(Response):
    stance: Stance
    reason: str
    thread_id: int | None
    organisation: str
    cast_by: UserRef
    updated_at: str


class SignOffParagraph(Response):
    number: int
    endorse: int
    object: int
    abstain: int
    body_markdown: str | None = None
    body_html: str | None = None
    my_vote: Vote | None = None
    objections: list[Objection] | None = None


class SignOff(Response):
    topic_id: int
    summary_version: int
    status: Literal["open", "closed"]
    opened_at: str
    closes_at: str | None
    closed_at: str | None
    organisations: int = Field(description="Member organisations (frozen at closing)")
    waiting: int = Field(description="Organisations yet to vote on every paragraph")
    paragraphs: list[SignOffParagraph]


class VoteChange(Response):
    paragraph: int
    organisation: str
    changed_by: UserRef | None
    changed_at: str
    from_stance: Stance | None
    to_stance: Stance
    from_reason: str
    to_reason: str


class VoteHistory(Response):
    items: list[VoteChange]


class Citation(Response):
    number: int
    post_id: int
    cited_revision: int
    state: Literal["current", "edited", "hidden", "erased", "withdrawn"]


class Coverage(Response):
    version: int | None
    citations: list[Citation]
    uncited_threads: list[int]
    uncited_questions: list[int]
    uncited_organisations: list[Organisation]


class GroupConsent(Response):
    group: GroupRef
    level: Consent


class ConsentList(Response):
    items: list[GroupConsent]
    page: int
    per_page: int
    total: int


class Me(Response):
    username: str
    display_name: str
    email: str
    is_admin: bool
    csrf_token: str | None
    organisation: Organisation | None = None
    locale: str | None = None
    timezone: str | None = None


class LocaleOut(Response):
    code: str
    name: str
    native_name: str
    dir: Literal["ltr", "rtl"]


class LocaleList(Response):
    items: list[LocaleOut]


class ErrorDetail(Response):
    code: str
    message: str
    fields: dict[str, str] | None = None


class Error(Response):
    error: ErrorDetail


def page_of(item: type[BaseModel]) -> type[BaseModel]:
    """The list envelope {items, page, per_page, total} for one item schema."""
    return type(f"{item.__name__}Page", (Response,), {
        "__annotations__": {"items": list[item], "page": int, "per_page": int, "total": int},
        "__module__": __name__,
    })


# --- reading, following and writing (second edition) ------------------------------------------

WatchLevel = Literal["watching", "normal", "muted"]


class ReadPositionSet(Request):
    post_id: Id


class WatchSet(Request):
    level: WatchLevel


class WatchOut(Response):
    level: WatchLevel


class ReplyDraftSet(Request):
    body: str


class ThreadDraftSet(Request):
    title: str = Field(default="", max_length=200)
    body: str


class DraftOut(Response):
    body: str
    title: str | None = Field(default=None, description="Only for a new thread's draft")
    updated_at: str


class DraftItem(Response):
    kind: Literal["reply", "thread"]
    thread_id: int | None = None
    topic_id: int | None = None
    title: str
    excerpt: str
    updated_at: str


class DraftList(Response):
    items: list[DraftItem]


class PreviewRequest(Request):
    body: str


class PreviewOut(Response):
    html: str


class OrganisationRef(Response):
    id: int
    name: str


class Person(Response):
    username: str
    display_name: str
    organisation: OrganisationRef | None
    joined_at: str
    groups: list[GroupRef]


class PersonList(Response):
    items: list[UserRef]


class AgendaItem(Response):
    kind: Literal["signoff_vote", "deadline", "invitation", "review", "summary_draft"]
    title: str
    url: str
    due_at: str | None
    group: GroupRef


class Agenda(Response):
    items: list[AgendaItem]
