"""The consultation response as a document: the one place exports are assembled.

The report (the whole debate, for facilitators), the final response (Markdown, CSV and the
printable page) are all built from a `ResponseDocument`; consent to quote is applied here, once,
through services.consent, so no export can forget it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from flask_babel import gettext, ngettext
from sqlalchemy import select

from forum import labels
from forum import permissions as perm
from forum.errors import NotFound
from forum.extensions import db
from forum.markup import footnote_markdown, footnote_markers, render_markdown
from forum.models import ConsultationQuestion, Post, Summary, Thread, Topic
from forum.permissions import actions
from forum.services import consent, questions, signoff, summaries

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Footnote:
    number: int
    post_id: int
    credit: consent.Credit
    thread_title: str
    posted_at: object
    quote: str | None
    question: ConsultationQuestion | None
    state: str
    note: str            # why the citation no longer holds, or why the text is not quoted


@dataclass
class Paragraph:
    number: int
    markdown: str        # with [^n] footnote references
    html: str            # sanitised, with footnote markers
    endorsed: int | None  # organisations endorsing it, once signed off


@dataclass
class Dissent:
    paragraph: int
    organisation: str    # consent-shaped: named only if the voter agreed to be named
    reason: str


@dataclass
class VoteChange:
    paragraph: int
    organisation: str    # consent-shaped, as in the dissent annex
    before: str          # the view in words ("Endorse", "Object: reason")
    after: str
    changed_at: object


@dataclass
class Contribution:
    post: Post
    credit: consent.Credit
    quote: str


@dataclass
class Section:
    """The answers to one question (None: contributions that answer no question)."""

    question: ConsultationQuestion | None
    threads: list[tuple[Thread, list[Contribution]]] = field(default_factory=list)
    withheld: int = 0    # posts whose authors asked not to be quoted: counted, never quoted


@dataclass
class ResponseDocument:
    topic: Topic
    questions: list[ConsultationQuestion]
    summary: Summary | None
    paragraphs: list[Paragraph]
    organisations: int | None   # member organisations at sign-off (None: not signed off)
    footnotes: list[Footnote]
    dissent: list[Dissent]
    sections: list[Section]     # the debate; empty for the final response
    changes: list[VoteChange] = field(default_factory=list)  # views changed during sign-off

    @property
    def informed_by(self):
        """The events the summary cites (minutes written), with the organisations that
        attended them; None when it cites none."""
        from forum.services import events

        return events.informed_by(self.topic, self.summary)

    @property
    def signed_off(self) -> bool:
        return self.organisations is not None

    @property
    def unavailable(self) -> int:
        """Cited posts this document's reader may not see: counted, nothing of them shown."""
        return sum(1 for f in self.footnotes if f.state == "unavailable")


def response_summary(viewer, topic: Topic) -> Summary:
    """The published summary for everyone; facilitators preview the latest draft before that."""
    try:
        return summaries.latest_published(topic)
    except NotFound:
        draft = summaries.latest_version(topic)
        if draft is None or not perm.can_see_response(viewer, topic, published=False):
            raise
        return draft


def final_response(viewer, topic: Topic) -> ResponseDocument:
    summary = response_summary(viewer, topic)
    actions.require(actions.see_response(viewer, topic, summary.published))
    return build(viewer, topic, summary, with_debate=False)


def report(viewer, topic: Topic) -> ResponseDocument:
    actions.require(actions.download_report(viewer, topic))
    try:
        summary = summaries.latest_published(topic)
    except NotFound:
        summary = None
    return build(viewer, topic, summary, with_debate=True)


def build(reader, topic: Topic, summary: Summary | None, with_debate: bool) -> ResponseDocument:
    """The document as `reader` may have it now: each cited post is asked again for them."""
    qs = questions.list_questions(topic)
    by_id = {q.id: q for q in qs}
    cites = summaries.citations_for(reader, summary) if summary is not None else []
    credits = consent.credits_for([c.post for c in cites], topic.group_id)
    footnotes = [_footnote(c, credits[c.post.id], by_id) for c in cites]
    numbers = {f.post_id: f.number for f in footnotes}
    paragraphs, organisations, dissent = _paragraphs(topic, summary, numbers)
    sections = _debate(topic, qs) if with_debate else []
    done = signoff.signoff_of_summary(summary.id) if summary is not None else None
    changes = _changes(topic, done) if done is not None else []
    return ResponseDocument(topic, qs, summary, paragraphs, organisations, footnotes, dissent,
                            sections, changes)


def footnotes_for(reader, topic: Topic, summary: Summary) -> list[Footnote]:
    """A summary's citations as `reader` may have them now, each with the cited words as
    consent allows: the topic page, the sign-off page and the editor show these."""
    cites = summaries.citations_for(reader, summary)
    credits = consent.credits_for([c.post for c in cites], topic.group_id)
    by_id = {q.id: q for q in questions.list_questions(topic)}
    return [_footnote(c, credits[c.post.id], by_id) for c in cites]


_NOBODY = consent.Credit("not_quoted", "", "", "", False)


def _footnote(c: summaries.Citation, credit: consent.Credit, questions_by_id) -> Footnote:
    post = c.post
    if c.state == "unavailable":  # not its text, author, date, thread or question
        return Footnote(c.number, post.id, _NOBODY, "", None, None, None, c.state,
                        c.stale_reason)
    quote = None
    if c.state in ("current", "edited"):
        quote = credit.quote(post)
    if not credit.quotable:
        note = gettext("The author asked not to be quoted.")
    else:
        note = c.stale_reason
    if c.state != "current" and not credit.quotable:
        note = f"{c.stale_reason} {note}"
    question = questions_by_id.get(post.question_id or post.thread.question_id)
    return Footnote(c.number, post.id, credit, post.thread.title, post.created_at, quote,
                    question, c.state, note)


def _paragraphs(topic: Topic, summary: Summary | None, numbers: dict[int, int]):
    if summary is None:
        return [], None, []
    done = signoff.signoff_of_summary(summary.id)
    if done is None:
        texts = signoff.split_paragraphs(summary.body_markdown)
        endorsed: dict[int, int] | None = None
        organisations = None
    else:
        texts = [p.body_markdown for p in signoff.paragraphs_of(done)]
        endorsed = signoff.endorsement_count(done.id)
        organisations = done.organisation_count
    paragraphs = [
        Paragraph(n, footnote_markdown(text, numbers),
                  footnote_markers(render_markdown(text), numbers),
                  None if endorsed is None else endorsed.get(n, 0))
        for n, text in enumerate(texts, 1)]
    dissent = _dissent(topic, done) if done is not None else []
    return paragraphs, organisations, dissent


def _organisation_label(topic: Topic, user, organisation) -> str:
    """An organisation as an export may name it: by name only if its voter agreed to be named."""
    level = consent.group_level_of(user.id if user else None, topic.group_id)
    who = consent.credit(user, organisation, level)
    named = organisation.name if level == "attributable" and user else ""
    return named or (f"A member organisation in {who.region}" if who.region
                     else "A member organisation")


def _view_words(stance: str | None, reason: str) -> str:
    if stance is None:
        return "no view"
    return labels.stance(stance) + (f" ({' '.join(reason.split())})" if reason else "")


def _changes(topic: Topic, done) -> list[VoteChange]:
    """Views changed during the sign-off (first views are in the tallies already)."""
    return [VoteChange(number, _organisation_label(topic, c.changed_by, c.organisation),
                       _view_words(c.from_stance, c.from_reason),
                       _view_words(c.to_stance, c.to_reason), c.changed_at)
            for number, c in signoff.vote_history(done) if c.from_stance is not None]


def _dissent(topic: Topic, done) -> list[Dissent]:
    view = signoff.tally(done)
    rows = []
    for paragraph in view.paragraphs:
        for vote in paragraph.votes:
            if vote.stance != "object":
                continue
            level = consent.group_level_of(vote.cast_by_id, topic.group_id)
            who = consent.credit(vote.cast_by, vote.organisation, level)
            named = vote.organisation.name if level == "attributable" and vote.cast_by else ""
            label = named or (f"A member organisation in {who.region}" if who.region
                              else "A member organisation")
            rows.append(Dissent(paragraph.number, label, vote.reason))
    return rows


def _debate(topic: Topic, qs: list[ConsultationQuestion]) -> list[Section]:
    """Every visible post, grouped by the question it answers, in the questions' order."""
    threads = list(db.session.scalars(
        select(Thread).where(Thread.topic_id == topic.id, Thread.pending.is_(False))
        .order_by(Thread.created_at, Thread.id)))
    posts = list(db.session.scalars(
        select(Post).where(Post.thread_id.in_([t.id for t in threads]),
                           Post.hidden.is_(False), Post.pending.is_(False),
                           Post.rejected.is_(False)).order_by(Post.id)))
    credits = consent.credits_for(posts, topic.group_id)
    sections = {q.id: Section(q) for q in qs}
    other = Section(None)
    by_thread: dict[int, list[Post]] = {}
    for post in posts:
        by_thread.setdefault(post.thread_id, []).append(post)
    for thread in threads:
        grouped: dict[int | None, list[Contribution]] = {}
        for post in by_thread.get(thread.id, []):
            key = post.question_id or thread.question_id
            section = sections.get(key, other)
            c = credits[post.id]
            if not c.quotable:
                section.withheld += 1
                continue
            grouped.setdefault(section.question.id if section.question else None, []).append(
                Contribution(post, c, post.body_markdown))  # the author's own words
        for key, contributions in grouped.items():
            (sections[key] if key is not None else other).threads.append((thread, contributions))
    ordered = [sections[q.id] for q in qs]
    if other.threads or other.withheld:
        ordered.append(other)
    return ordered


# --- renderers --------------------------------------------------------------------------------

def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "topic"


def day(value) -> str:
    return value.strftime("%d %b %Y %H:%M UTC")


def endorsement_line(doc: ResponseDocument, paragraph: Paragraph) -> str:
    return ngettext("Endorsed by %(endorsed)s of %(num)s member organisation.",
                    "Endorsed by %(endorsed)s of %(num)s member organisations.",
                    doc.organisations, endorsed=paragraph.endorsed)


def footnote_text(f: Footnote) -> str:
    if f.state == "unavailable":
        return f.note
    where = f"{consent.credit_line(f.credit)}, in “{f.thread_title}”, {day(f.posted_at)}"
    parts = [where + (f": “{f.quote}”" if f.quote else ".")]
    if f.note:
        parts.append(f.note)
    return " ".join(parts)


def unavailable_line(doc: ResponseDocument) -> str:
    n = doc.unavailable
    return ngettext("%(num)s cited post is not available to you.",
                    "%(num)s cited posts are not available to you.", n)


def _question_heading(section: Section) -> str:
    if section.question is None:
        return gettext("Other contributions")
    return gettext("Question %(number)s: %(text)s", number=section.question.number,
                   text=section.question.text)


def to_markdown(doc: ResponseDocument) -> str:
    topic = doc.topic
    lines = [f"# {topic.title}", "",
             gettext("Working group: %(group)s", group=topic.group.name) + "  ",
             gettext("Status: %(status)s; stage: %(phase)s", status=labels.status(topic.status),
                     phase=labels.phase(topic.phase)), ""]
    if topic.response_deadline:
        lines += [gettext("Response deadline: %(when)s", when=day(topic.response_deadline)), ""]
    if doc.sections:
        lines += ["## " + gettext("Briefing"), "",
                  topic.briefing_markdown or gettext("(none)"), ""]
    if doc.questions:
        lines += ["## " + gettext("Consultation questions"), ""]
        lines += [f"{q.number}. {q.text}" for q in doc.questions] + [""]
    lines += ["## " + (gettext("Response") if not doc.sections else gettext("Summary")), ""]
    if doc.summary is None:
        lines += [gettext("No summary has been published yet."), ""]
    for paragraph in doc.paragraphs:
        lines += [paragraph.markdown, ""]
        if doc.signed_off:
            lines += [f"_{endorsement_line(doc, paragraph)}_", ""]
    if doc.summary is not None:
        state = (gettext("published %(when)s", when=day(doc.summary.published_at))
                 if doc.summary.published else gettext("draft"))
        lines += ["_" + gettext("Version %(version)s, %(state)s.",
                                version=doc.summary.version, state=state) + "_", ""]
        if doc.informed_by is not None:
            lines += [f"_{doc.informed_by.sentence}_", ""]
    for section in doc.sections:
        if section is doc.sections[0]:
            lines += ["## " + gettext("What members said"), ""]
        lines += [f"### {_question_heading(section)}", ""]
        for thread, contributions in section.threads:
            lines += [f"#### {thread.title}", ""]
            for c in contributions:
                p = c.post
                lines += [f"**{consent.credit_line(c.credit)}**, " + gettext(
                    "%(when)s (post #%(id)s; agree %(agree)s · disagree %(disagree)s · "
                    "thanks %(thanks)s)", when=day(p.created_at), id=p.id,
                    agree=p.agree_count, disagree=p.disagree_count, thanks=p.thanks_count), ""]
                lines += ["> " + line if line else ">" for line in c.quote.splitlines()] + [""]
        if section.withheld:
            lines += ["_" + ngettext("%(num)s further post not quoted at their authors' request.",
                                     "%(num)s further posts not quoted at their authors' "
                                     "request.", section.withheld) + "_", ""]
        if not section.threads and not section.withheld:
            lines += [gettext("No answers yet."), ""]
    if doc.dissent:
        lines += ["## " + gettext("Annex: dissent"), ""]
        lines += ["- " + gettext("Paragraph %(number)s: %(organisation)s objected: %(reason)s",
                                 number=d.paragraph, organisation=d.organisation,
                                 reason=" ".join(d.reason.split())) for d in doc.dissent] + [""]
    if doc.changes:
        lines += ["## Annex: views changed during sign-off", ""]
        lines += [f"- Paragraph {c.paragraph}: {c.organisation} changed from {c.before} to "
                  f"{c.after}, {day(c.changed_at)}" for c in doc.changes] + [""]
    if doc.footnotes:
        lines += ["## " + gettext("Notes"), ""]
        lines += [f"[^{f.number}]: {footnote_text(f)}" for f in doc.footnotes] + [""]
        if doc.unavailable:
            lines += [f"_{unavailable_line(doc)}_", ""]
    return "\n".join(lines) + "\n"


def _neutralise(value) -> str:
    """Spreadsheets run cells that begin with these characters as formulas."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _csv(header: list[str], rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_neutralise(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def report_csv(doc: ResponseDocument) -> bytes:
    """One row per quotable post of the debate; withheld posts as a count per question."""
    rows = []
    for section in doc.sections:
        number = section.question.number if section.question else ""
        for thread, contributions in section.threads:
            for c in contributions:
                p = c.post
                rows.append([doc.topic.title, thread.id, thread.title, p.id, p.reply_to_id or "",
                             consent.credit_line(c.credit), day(p.created_at), p.agree_count,
                             p.disagree_count, p.thanks_count, c.quote, number,
                             labels.consent(c.credit.level)])
        if section.withheld:
            rows.append([doc.topic.title, "", "", "", "", "", "", "", "", "",
                         (f"{section.withheld} further posts not quoted at their authors' "
                          "request"), number, labels.consent("not_quoted")])
    return _csv(["topic", "thread_id", "thread", "post_id", "reply_to", "author", "posted_at",
                 "agree", "disagree", "thanks", "text", "question", "consent"], rows)


def response_csv(doc: ResponseDocument) -> bytes:
    """One row per cited post, per question, in the questions' order."""
    order = {q.id: q.number for q in doc.questions}
    footnotes = sorted(doc.footnotes, key=lambda f: (
        order.get(f.question.id, 10**6) if f.question else 10**6, f.number))
    rows = [[f.question.number if f.question else "", f.question.text if f.question else "",
             f.number, f.post_id, f.thread_title, f.credit.name, f.credit.organisation,
             f.credit.region, day(f.posted_at) if f.posted_at else "",
             labels.consent(f.credit.level) if f.state != "unavailable" else "",
             labels.citation(f.state),
             f.quote or "", f.note]
            for f in footnotes]
    return _csv(["question_number", "question", "footnote", "post_id", "thread", "author",
                 "organisation", "region", "posted_at", "consent", "citation", "text", "note"],
                rows)
