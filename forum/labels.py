"""Words, not codes: what people read for each internal code (phases, statuses, roles, reasons,
stances, consent levels, citation states, moderation actions).

Templates use the `words` filter (`{{ topic.phase | words("phase") }}`), exports and mail call
`words(kind, code)`. A code without a label reads as itself with underscores turned into spaces,
so a new code never reaches a person as `off_topic`.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LABELS: dict[str, dict] = {
    "phase": {"discussion": _l("Discussion"), "drafting": _l("Drafting the response"),
              "signoff": _l("Sign-off by member organisations"), "submitted": _l("Submitted")},
    "status": {"upcoming": _l("Upcoming"), "open": _l("Open"), "concluded": _l("Concluded"),
               "archived": _l("Archived")},
    "role": {"member": _l("Member"), "facilitator": _l("Facilitator"), "moderator": _l("Moderator"),
             "pending": _l("Asked to join")},
    "flag_reason": {"spam": _l("Spam"), "abusive": _l("Abusive"), "off_topic": _l("Off topic"),
                    "other": _l("Other")},
    "flag_status": {"open": _l("Open"), "dismissed": _l("Dismissed"), "actioned": _l("Acted on")},
    "stance": {"endorse": _l("Endorse"), "object": _l("Object"), "abstain": _l("Abstain")},
    "consent": {"attributable": _l("Quoted by name and organisation"),
                "anonymised": _l("Quoted without name or organisation"),
                "not_quoted": _l("Not to be quoted")},
    "citation": {"current": _l("Current"), "edited": _l("Edited since it was cited"),
                 "hidden": _l("Hidden by a moderator since it was cited"),
                 "erased": _l("The author has erased their account"),
                 "withdrawn": _l("No longer visible"), "unavailable": _l("Not available")},
    "action": {"hide": _l("Hid a post"), "unhide": _l("Showed a hidden post again"),
               "auto_hide": _l("Hid a post automatically"), "approve": _l("Approved a post"),
               "reject": _l("Rejected a post"), "edit_post": _l("Edited a post"),
               "resolve_dismiss": _l("Dismissed flags"), "resolve_hide": _l("Hid a flagged post"),
               "lock": _l("Locked a thread"), "unlock": _l("Unlocked a thread"),
               "pin": _l("Pinned a thread"), "unpin": _l("Unpinned a thread"),
               "slow_mode": _l("Changed slow mode"), "move": _l("Moved a thread"),
               "split": _l("Split replies into a new thread"), "merge": _l("Merged two threads"),
               "suspend": _l("Suspended a member"), "lift": _l("Lifted a suspension"),
               "phase": _l("Changed the topic's phase"), "remove": _l("Removed a member"),
               "remove_member": _l("Removed a member"), "add_member": _l("Added a member"),
               "role": _l("Changed a member's role"), "set_role": _l("Changed a member's role"),
               "approve_member": _l("Approved a member")},
}


def words(kind: str, code: str | None) -> str:
    """The words for `code` of this kind ("" for None)."""
    if code is None:
        return ""
    label = LABELS.get(kind, {}).get(code)
    return str(label) if label is not None else str(code).replace("_", " ").capitalize()


def phase(code: str | None) -> str:
    return words("phase", code)


def status(code: str | None) -> str:
    return words("status", code)


def flag_reason(code: str | None) -> str:
    return words("flag_reason", code)


def stance(code: str | None) -> str:
    return words("stance", code)


def consent(code: str | None) -> str:
    return words("consent", code)


def citation(code: str | None) -> str:
    return words("citation", code)


def register(app) -> None:
    """The `words` filter for templates: `{{ code | words("kind") }}`."""
    app.jinja_env.filters["words"] = lambda code, kind: words(kind, code)
