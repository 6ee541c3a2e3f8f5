"""The data model: one module per aggregate; import everything from here."""

from forum.models.audit import AuditEntry
from forum.models.base import Base, UTCDateTime, utcnow
from forum.models.consultations import (
    CONSENT_LEVELS,
    DEFAULT_CONSENT,
    STANCES,
    TOPIC_PHASES,
    ConsultationQuestion,
    Organisation,
    PhaseReminder,
    QuoteConsent,
    SignOff,
    SignOffParagraph,
    SignOffVote,
    SignOffVoteChange,
)
from forum.models.events import (
    REMINDER_KINDS,
    RSVP_STATUSES,
    Attachment,
    AttachmentChunk,
    CalendarFeed,
    Event,
    EventReminder,
    EventRsvp,
)
from forum.models.groups import JOIN_POLICIES, ROLE_RANK, ROLES, VISIBILITIES, Group, Membership
from forum.models.inbound import INBOUND_OUTCOMES, InboundMail
from forum.models.invitations import Invitation
from forum.models.mail import DEFAULT_MAIL_MODES, MAIL_MODES, MailPreference, OutgoingMail
from forum.models.moderation import (
    FLAG_REASONS,
    FLAG_STATUSES,
    Flag,
    ModerationAction,
    Suspension,
)
from forum.models.notifications import NOTIFICATION_KINDS, Notification
from forum.models.reading import WATCH_LEVELS, WATCH_TARGETS, Draft, ReadPosition, Watch
from forum.models.search import SEARCH_KINDS, SearchEntry
from forum.models.threads import REACTION_KINDS, Post, PostRevision, Reaction, Thread
from forum.models.topics import TOPIC_STATUSES, Summary, SummaryCitation, Topic
from forum.models.users import ApiToken, User

__all__ = [
    "Base", "UTCDateTime", "utcnow",
    "Group", "Membership", "JOIN_POLICIES", "ROLES", "ROLE_RANK", "VISIBILITIES",
    "Flag", "ModerationAction", "Suspension", "FLAG_REASONS", "FLAG_STATUSES",
    "Notification", "NOTIFICATION_KINDS",
    "Post", "PostRevision", "Reaction", "Thread", "REACTION_KINDS",
    "Summary", "SummaryCitation", "Topic", "TOPIC_STATUSES",
    "ApiToken", "User", "SearchEntry", "SEARCH_KINDS",
    "MailPreference", "OutgoingMail", "MAIL_MODES", "DEFAULT_MAIL_MODES", "AuditEntry",
    "Invitation", "Organisation", "ConsultationQuestion", "QuoteConsent", "SignOff",
    "SignOffParagraph", "SignOffVote", "SignOffVoteChange",
    "PhaseReminder", "TOPIC_PHASES", "CONSENT_LEVELS",
    "DEFAULT_CONSENT", "STANCES",
    "InboundMail", "INBOUND_OUTCOMES",
    "ReadPosition", "Watch", "Draft", "WATCH_LEVELS", "WATCH_TARGETS",
    "Event", "EventRsvp", "EventReminder", "CalendarFeed", "Attachment", "AttachmentChunk",
    "RSVP_STATUSES", "REMINDER_KINDS",
]
