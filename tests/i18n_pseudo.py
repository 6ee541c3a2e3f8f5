"""A pseudo-locale built from the code at test time: every message comes back as
`[!! Ŝîğñ îñ !!]`, placeholders and markup kept, so text that never passed through the
catalogue stands out as plain ASCII letters on a rendered page or mail."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from forum.i18n import PSEUDO_CARRIER

ROOT = Path(__file__).resolve().parent.parent
ACCENTED = dict(zip(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "áƀçđéƒğĥîĵķĺɱñöþǫŕšţûṽŵẋýžÅƁÇĐÉƑĞĤÎĴĶĹṀÑÖÞǪŔŠŢÛṼŴẊÝŽ"))
# What must survive: %(name)s and %% placeholders, markup, entities.
KEEP = re.compile(r"%\(\w+\)[sdif]|%%|<[^>]*>|&\w+;")


def pseudo(text: str) -> str:
    if not text:
        return text
    out, last = [], 0
    for m in KEEP.finditer(text):
        out.append("".join(ACCENTED.get(c, c) for c in text[last:m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append("".join(ACCENTED.get(c, c) for c in text[last:]))
    return "[!! " + "".join(out) + " !!]"


def extract(pot: Path) -> None:
    """The same extraction as `make translations`."""
    subprocess.run([str(Path(sys.executable).with_name("pybabel")), "extract",
                    "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
                    "-k", "lazy_ngettext:1,2", "-k", "Message",
                    "--ignore-dirs=.*",  # templates/_macros too (Babel skips _dirs by default)
                    "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)


def build(directory: Path) -> Path:
    """Writes <directory>/<carrier>/LC_MESSAGES/messages.mo; returns the directory."""
    pot = directory / "messages.pot"
    extract(pot)
    with pot.open("rb") as f:
        catalog = read_po(f)
    for message in catalog:
        if not message.id:
            continue
        if message.pluralizable:
            message.string = tuple(pseudo(part) for part in message.id)
        else:
            message.string = pseudo(message.id)
    target = directory / PSEUDO_CARRIER / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    with (target / "messages.mo").open("wb") as f:
        write_mo(f, catalog)
    return directory
