"""`flask seed demo`: a small, realistic forum built through the same services as every door."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from forum.errors import Conflict
from forum.extensions import db
from forum.models import User, utcnow
from forum.services import (
    accounts,
    consent,
    groups,
    organisations,
    posts,
    summaries,
    threads,
    topics,
)

DEMO_PASSWORD = "working-groups-demo"

PEOPLE = [
    ("admin", "Site Administrator", "site admin"),
    ("samir", "Samir J (Foundation)", "facilitator, health-strategy"),
    ("grace", "Grace O (Moderator)", "moderator, health-strategy"),
    ("amina", "Amina K, Bradford Carers Network", "member"),
    ("tomasz", "Tomasz W, Polish Community Trust", "member"),
    ("priya", "Priya S, Leicester Women's Health", "member"),
    ("kwame", "Kwame A, Hackney Elders", "member (private group too)"),
    ("newbie", "Jo B, asked to join", "pending in partners-council"),
]


ORGANISATIONS = [
    ("Bradford Carers Network", "Yorkshire and the Humber", "amina"),
    ("Polish Community Trust", "London", "tomasz"),
    ("Leicester Women's Health", "the East Midlands", "priya"),
    ("Hackney Elders", "London", "kwame"),
]


def _publish_demo_summary(author: User, topic, cited: list[int]) -> None:
    body = (
        "## What the group told us\n\n"
        "Members agreed that interpreting services must be funded as part of core provision "
        f"([[post:{cited[0]}]]), and that "
        "asking patients to bring relatives to interpret is not appropriate "
        f"([[post:{cited[1]}]]).\n\n"
        "We will submit this as our consultation response."
    )
    summaries.write_summary(author, topic, body, publish=True)


def _question(topic, number: int) -> int:
    from forum.services.questions import list_questions

    return next(q.id for q in list_questions(topic) if q.number == number)


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count(User.id)))


def seed_demo() -> list[tuple[str, str]]:
    """Create the demo; refuses (Conflict) unless the database has no accounts yet."""
    if not database_is_empty():
        raise Conflict("The database already has accounts: the demo only seeds an empty forum.")
    password_hash = accounts.hash_password(DEMO_PASSWORD)
    people = {}
    for username, display_name, _ in PEOPLE:
        people[username] = accounts.create_user(
            username, f"{username}@example.org", DEMO_PASSWORD, display_name=display_name,
            is_admin=username == "admin", password_hash=password_hash)
    admin = people["admin"]

    health = groups.create_group(
        admin, "health-strategy", "Health and care strategy",
        "Community organisations responding to the Department's health and care strategy.",
        "public", "open")
    council = groups.create_group(
        admin, "partners-council", "Strategic partners' council",
        "Private working group of strategic partners preparing for Equality and Diversity "
        "Council meetings.", "private", "request")
    for username, role in (("samir", "facilitator"), ("grace", "moderator"), ("amina", "member"),
                           ("tomasz", "member"), ("priya", "member"), ("kwame", "member")):
        groups.set_member_role(admin, health, people[username], role)
    for username, role in (("samir", "facilitator"), ("grace", "moderator"), ("kwame", "member")):
        groups.set_member_role(admin, council, people[username], role)
    groups.join_group(people["newbie"], council)
    for name, region, username in ORGANISATIONS:
        organisation = organisations.create_organisation(admin, name, region)
        organisations.set_member_organisation(admin, people[username], organisation)
    # Amina and Tomasz agreed to be quoted by name; Priya and Kwame keep the default (anonymised).
    for username in ("amina", "tomasz"):
        consent.set_group_consent(people[username], health, "attributable")

    consultation = topics.create_topic(
        people["samir"], health, "Consultation: access to interpreting in primary care",
        "The Department is consulting on **interpreting and translation in GP practices**.\n\n"
        "- What works in your area?\n- Where do people fall through the gaps?\n\n"
        "We will summarise this conversation in our response.",
        "open", response_deadline=utcnow() + timedelta(days=21))
    carers = topics.create_topic(
        people["samir"], health, "Carers' strategy refresh: informed conversation",
        "Briefing on the refreshed carers' strategy ahead of the strategic partners' meeting.",
        "open", event_at=utcnow() + timedelta(days=7),
        questions=["How can carers who are not online be reached?",
                   "What support should come first in the refreshed strategy?"])
    topics.create_topic(
        people["samir"], health, "Mental health act reform: upcoming",
        "Papers will be circulated two weeks before the meeting.", "upcoming",
        event_at=utcnow() + timedelta(days=30))

    t1 = threads.create_thread(
        people["amina"], consultation, "Telephone interpreting is not enough",
        "In Bradford many carers tell us telephone interpreting breaks down for long "
        "consultations. Face-to-face should be funded as **core provision**.")
    p1 = posts.create_post(people["tomasz"], t1,
                           "Agree. Polish speakers are often asked to bring family members, "
                           "which is not appropriate for health matters.",
                           reply_to=t1.first_post.id)
    posts.create_post(people["priya"], t1,
                      "> [[post:%d]] family members\n\nThis is especially hard for women "
                      "discussing maternity care. @amina do you have numbers?" % p1.id)
    posts.create_post(people["amina"], t1, "We surveyed 120 carers last year: 64% had been "
                                           "asked to bring a relative to interpret.")
    for username in ("tomasz", "priya", "kwame", "grace"):
        posts.add_reaction(people[username], t1.first_post, "agree")
    posts.add_reaction(people["samir"], p1, "thanks")

    t2 = threads.create_thread(
        people["kwame"], carers, "Older carers are missed by online-only outreach",
        "Hackney Elders sees many carers over 70 who never see online surveys.")
    threads.update_thread(people["kwame"], t2, question_id=_question(carers, 1))
    posts.create_post(people["priya"], t2, "Same in Leicester. Community radio reached more "
                                           "people than the council website.")
    threads.update_thread(people["grace"], t2, pinned=True)
    _publish_demo_summary(people["samir"], consultation, [t1.first_post.id, p1.id])

    council_topic = topics.create_topic(
        people["samir"], council, "Preparing for the Equality and Diversity Council",
        "Confidential papers for partners only.", "open")
    threads.create_thread(people["kwame"], council_topic, "Points to raise",
                          "We should raise data collection on ethnicity in social care.")
    return [(username, role) for username, _, role in PEOPLE]
