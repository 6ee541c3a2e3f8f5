"""Reading a received mail: its own new words as Markdown, without the quoted original, the
signature or attachments (their names are kept to tell the person).

The text part is preferred; an HTML-only mail is turned into Markdown-safe text by markdownify
(never kept as HTML: the post goes through the forum's Markdown renderer and bleach like any
other). Quoted originals and signatures are found by mail-parser-reply, taught here the "On …
wrote:" lines of clients in the forum's other languages that it does not know yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import EmailMessage

from mailparser_reply import constants as reply_constants
from mailparser_reply.parser import EmailMessage as ReplyMessage

MAX_TEXT = 60_000  # characters read from a body; a post is far shorter (check_body decides)
SIGNATURE_MAX_LINES = 8  # a longer "signature" is more likely the person's own words
_BIDI = "\u200e\u200f\u202a-\u202e\u2066-\u2069"
_Q = reply_constants.QUOTED_MATCH_INCLUDE
_END = rf"[{_BIDI} ]*:[{_BIDI} ]*$"

# Attribution lines of Gmail, Thunderbird and Outlook in the forum's languages, added beside the
# library's own (English and Polish "Dnia … napisał(a):" are the library's). Names are ours.
EXTRA_LANGUAGES = {
    # Gmail: "pt., 5 sty 2024 o 10:00 Jan Kowalski <jan@…> napisał(a):" (may wrap once);
    # Thunderbird: "W dniu 5.01.2024 o 10:00, Jan Kowalski pisze:".
    "x-forum-pl": {
        "wrote_header": rf"^({_Q}(?:W dniu|(?:pon|wt|śr|czw|pt|sob|niedz)\.,)[^\n]*"
                        rf"(?:\n{_Q}[^\n]*)?(?:napisał\(a\)|napisała|napisał|pisze){_END})",
        "sent_from": r"Wysłane z (?:mojego|aplikacji)",
    },
    # Gmail: "في الجمعة، 5 يناير 2024 في 10:00 ص، كتب Name <…>:" and Outlook's "من: / تاريخ الإرسال:".
    "x-forum-ar": {
        "wrote_header": rf"^({_Q}[{_BIDI}]*في[^\n]*\d[^\n]*(?:كتب|كتبت|تمت كتابة ما يلي بواسطة)"
                        rf"[^\n]*{_END})",
        "from_header": rf"((?:(?:^|\n){_Q})[{_BIDI}* ]*(?:من|تاريخ الإرسال|إلى|الموضوع)"
                       rf"[{_BIDI}]*:[^\n]*(?:\n[{_BIDI}* ]*(?:من|تاريخ الإرسال|إلى|نسخة|الموضوع)"
                       rf"[{_BIDI}]*:[^\n]*){{1,}})",
    },
    # Gmail in Urdu: "بروز جمعہ، 5 جنوری، 2024 کو 10:00 AM Name <…> نے لکھا:".
    "x-forum-ur": {"wrote_header": rf"^({_Q}[^\n]*\d[^\n]*نے لکھا{_END})"},
    # Gmail in Bengali: "শুক্র, ৫ জানু, ২০২৪ এ ১০:০০ AM এ Name <…> লিখেছেন:".
    "x-forum-bn": {"wrote_header": rf"^({_Q}[^\n]*\d[^\n]*লিখেছেন{_END})"},
    # Gmail in Panjabi: "ਸ਼ੁੱਕਰ, 5 ਜਨ 2024 ਨੂੰ 10:00 ਵਜੇ Name <…> ਨੇ ਲਿਖਿਆ:".
    "x-forum-pa": {"wrote_header": rf"^({_Q}[^\n]*\d[^\n]*ਨੇ ਲਿਖਿਆ{_END})"},
    # K-9 Mail's default signature (the library knows "Sent from my …" of one to three words).
    "x-forum-en": {"sent_from": r"Sent from my Android device with K-9 Mail\."},
}
for _code, _patterns in EXTRA_LANGUAGES.items():
    reply_constants.MAIL_LANGUAGES.setdefault(_code, _patterns)
LANGUAGES = ["en", "pl", *EXTRA_LANGUAGES]


@dataclass
class Reading:
    text: str
    attachments: list[str] = field(default_factory=list)
    html: bool = False


def read_reply(message: EmailMessage) -> Reading:
    """The new words of a received mail, as Markdown source, and its attachments' names."""
    attachments = [part.get_filename() or part.get_content_type()
                   for part in message.walk() if part.is_attachment()]
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return Reading("", attachments)
    content = _decoded(part)[:MAX_TEXT]
    html = part.get_content_subtype() == "html"
    if html:
        content = html_to_markdown(content)
    elif _flowed(part):
        content = _unflow(content, part.get_param("delsp", "no").lower() == "yes")
    return Reading(strip_quoted(content), attachments, html)


def _decoded(part: EmailMessage) -> str:
    """The part's text, whatever its transfer encoding and character set (an unknown or wrong
    character set still gives the readable part of the text)."""
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode(part.get_content_charset() or "utf-8", "replace") \
            if _known_charset(part.get_content_charset()) else payload.decode("utf-8", "replace")


def _known_charset(name: str | None) -> bool:
    import codecs

    try:
        codecs.lookup(name or "")
    except LookupError:
        return False
    return True


def _flowed(part: EmailMessage) -> bool:
    return part.get_param("format", "").lower() == "flowed"


def _unflow(text: str, delsp: bool) -> str:
    """RFC 3676: a line ending in a space continues on the next (quotes and signature excepted)."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.rstrip("\r")
        if line.startswith(" ") and not line.startswith(" >"):
            line = line[1:]  # space-stuffing
        if out and out[-1].endswith(" ") and out[-1] != "-- " and not line.startswith(">") \
                and not out[-1].startswith(">"):
            out[-1] = (out[-1][:-1] if delsp else out[-1]) + line
        else:
            out.append(line)
    return "\n".join(out)


# --- HTML-only mail ---------------------------------------------------------------------------

# Containers of the quoted original and of signatures in the HTML of common clients: Gmail,
# Apple Mail and Thunderbird (blockquote type=cite, moz-cite-prefix), Outlook (divRplyFwdMsg and
# everything after it).
_QUOTE_SELECTORS = ("div.gmail_quote", "blockquote[type=cite]", "div.moz-cite-prefix",
                    "div.gmail_signature", "div.moz-signature", "div.yahoo_quoted",
                    "blockquote.gmail_quote")
_CUT_FROM = ("#divRplyFwdMsg", "#appendonsend", "div.OutlookMessageHeader")


def html_to_markdown(html: str) -> str:
    from bs4 import BeautifulSoup
    from markdownify import markdownify

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "head", "title", "meta"]):
        tag.decompose()
    for selector in _CUT_FROM:
        for start in soup.select(selector):
            for later in list(start.find_all_next()):
                later.decompose()
            previous = start.find_previous_sibling()
            if previous is not None and previous.name == "hr":
                previous.decompose()
            start.decompose()
    for selector in _QUOTE_SELECTORS:
        for tag in soup.select(selector):
            tag.decompose()
    text = markdownify(str(soup), heading_style="ATX", bullets="-", strip=["img"],
                       escape_underscores=False)
    text = text.replace("\xa0", " ")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --- quoted text and signatures ---------------------------------------------------------------

def strip_quoted(text: str) -> str:
    """The reply's own words: the first part before a quoted original, without its signature
    or disclaimers; quoted lines (">") left in it are dropped; indentation is kept."""
    original = text.replace("\r\n", "\n").replace("\r", "\n")
    parsed = ReplyMessage(text=original, languages=list(LANGUAGES),
                          keep_hyphen_lists=True).read()
    if not parsed.replies:
        return ""
    reply = parsed.replies[0]
    body = reply.content
    for disclaimer in reply.disclaimers:
        body = body.replace(disclaimer, "")
    signature = reply.signatures
    if signature and _short(signature):
        body = body.replace(signature, "")
    if reply.headers:
        body = body.replace(reply.headers, "")
    lines = [line for line in _restore_indentation(original, body.strip()).split("\n")
             if not line.lstrip().startswith(">")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _short(signature: str) -> bool:
    lines = [line for line in signature.splitlines() if line.strip()]
    return len(lines) <= SIGNATURE_MAX_LINES


def _restore_indentation(original: str, stripped: str) -> str:
    """The parser strips every line; take each kept line back from the original, in order, so a
    Markdown list or code block keeps its indentation."""
    source = original.split("\n")
    position = 0
    out = []
    for line in stripped.split("\n"):
        want = line.strip()
        for index in range(position, len(source)):
            if source[index].strip() == want:
                out.append(source[index].rstrip())
                position = index + 1
                break
        else:
            out.append(line)
    return "\n".join(out)
