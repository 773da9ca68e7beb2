"""Citations as references (clinical-policy section 7).

A rule or a recommendation carries an *internal* citation string: the sources it rests on, with
the clinical reference's evidence tags (``[S]``, ``[S2]``, ``[M]``, ``[R]``), seed ids, section
numbers and where a copy was found.  That string belongs in the rulebook.  A page or a report
prints :func:`reader` of it instead: each source as "organisation or authors, year, title" with an
evidence level from the one legend in :mod:`assessments.vocabulary`.

A :class:`Source` is a ``str`` whose value is its internal citation (so the rules keep composing
citations with ``+``) and which also knows its reader-facing text and evidence level;
:mod:`assessments.rules.sources` defines them.  :func:`reader` finds every registered source in a
citation string; whatever is left (ad-hoc additions such as "POP-Q staging (Bump 1996) [S]") is
cleaned of internal provenance and given a level from its tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .vocabulary import EVIDENCE_LEGEND, EVIDENCE_LEVELS, EVIDENCE_SHORT

_REGISTRY: list[Source] = []


class Source(str):
    """An internal citation string that also knows its reader-facing reference."""

    reference: str
    level: str
    provenance: str

    def __new__(cls, internal: str, reference: str, level: str, provenance: str = "") -> Source:
        if level not in EVIDENCE_LEVELS:
            raise ValueError(f"unknown evidence level {level!r}")
        obj = super().__new__(cls, internal)
        obj.reference = reference
        obj.level = level
        obj.provenance = provenance or internal
        _REGISTRY.append(obj)
        return obj


@dataclass(frozen=True)
class Reference:
    """What a reader sees: the reference and its evidence level (a key of ``EVIDENCE_LEVELS``)."""

    text: str
    level: str

    @property
    def level_name(self) -> str:
        return EVIDENCE_SHORT[self.level]

    def __str__(self) -> str:
        return f"{self.text} [{self.level_name}]"

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "level": self.level}


# --------------------------------------------------------------------------- cleaning

_TAG = re.compile(r"\s*\[(?:S2?|M|R)(?:[:/][^\]]*)?\]")
_PAREN_INTERNAL = re.compile(r"\s*\((?:[^()]*?\b(?:SP|PP|RR)-\d+[^()]*|[^()]*\breference\b[^()]*|"
                             r"[^()]*\bsection\b[^()]*|[^()]*\b(?:yumpu|iatrox|coek|liverpoolmedics|"
                             r"guidelinesinpractice|primarycarenotebook|tmmagazine|pharmacymagazine|"
                             r"summahealth|ashley-lines|adoreyourpelvicfloor|fixprogram|guideline\.gov|"
                             r"web article|excerpt|summary|summaries)\b[^()]*)\)", re.IGNORECASE)
_INTERNAL_WORDS = re.compile(r"\b(?:clinical reference|reference section|reference)\s+(?:section\s+)?\d[\d.]*\w*"
                             r"|\b(?:SP|PP|RR)-\d+\b|\bSeed \d+\b|\bassessments\.\w+", re.IGNORECASE)
HOSTS = ("yumpu", "iatrox", "coek", "liverpoolmedics", "guidelinesinpractice", "primarycarenotebook",
         "tmmagazine", "pharmacymagazine", "summahealth", "ashley-lines", "adoreyourpelvicfloor", "fixprogram",
         "guideline.gov", "bladdermatters", "gpreasoning", "medscape")
PROVENANCE = re.compile(r"\[(?:M|S2?|R)\b|\bSP-\d+|\bPP-\d+|\bRR-\d+|Seed 0|\bsection \d|\bassessments\.\w+|"
                        r"\bREC-[A-Z]|" + "|".join(re.escape(h) for h in HOSTS), re.IGNORECASE)
"""Internal provenance that must never reach a page or a report (tests use it too)."""


_ANY_TAG = re.compile(r"\[(S2?|M|R)\b[^\]]*\]")
_RENAMED_HOSTS = {"gpreasoning": "GP Reasoning", "bladdermatters": "Bladder Matters"}


def _level_of(fragment: str) -> str:
    low = fragment.lower()
    if any(k in low for k in ("\x01m", "\x01r", "[r]", "convention", "memory", "project rule")):
        return "expert"
    if any(k in low for k in ("nice", "rcog", "guideline", "girft", "nhs", "hse", "pathway", "qs77", "ng1", "ng2")):
        return "guideline"
    if "consensus" in low or "delphi" in low:
        return "consensus"
    if "web article" in low or "seed" in low:
        return "practice"
    return "study"


def clean(fragment: str) -> str:
    """A fragment of an internal citation without tags, seed ids, section numbers or host names."""
    text = re.sub(r"\x01\w", "", fragment)
    text = _TAG.sub("", text)
    text = re.sub(r"\b(?:assessments|clinic|pdf)(?:\.\w+)+|\bConfig\.\w+|\(\.\w+\)", "", text)
    for host, name in _RENAMED_HOSTS.items():
        text = re.sub(rf"\b{host}(?:\.\w+)*\b", name, text, flags=re.IGNORECASE)
    text = re.sub(r"\bvia\s+(?:" + "|".join(re.escape(h) for h in HOSTS) + r")\b(?:\.\w+)*", "", text,
                  flags=re.IGNORECASE)
    text = _PAREN_INTERNAL.sub("", text)
    text = _INTERNAL_WORDS.sub("", text)
    for host in HOSTS:
        text = re.sub(rf"\b{re.escape(host)}\b(?:\.\w+)*", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"\s*/\s*(?=$|[;,)])", "", text)
    text = re.sub(r"\s{2,}", " ", text).strip(" ;,.+")
    return text


def _protect_parentheses(text: str) -> str:
    """Semicolons inside parentheses separate parts of one source, not two sources."""
    depth, out = 0, []
    for ch in text:
        depth += ch == "("
        depth -= ch == ")" and depth > 0
        out.append("," if ch == ";" and depth else ch)
    return "".join(out)


def reader(citation: str) -> tuple[Reference, ...]:
    """The reader-facing references of an internal citation string (in order, without repeats)."""
    if not citation:
        return ()
    found: list[tuple[int, Reference]] = []
    rest = str(citation)
    for src in sorted(_REGISTRY, key=len, reverse=True):
        pos = rest.find(src)
        while pos >= 0:
            found.append((pos, Reference(src.reference, src.level)))
            rest = rest[:pos] + "\x00" * len(src) + rest[pos + len(src):]
            pos = rest.find(src)
    # evidence tags may hold semicolons ("[S2; M]"): shorten them to a marker before splitting
    rest = _ANY_TAG.sub(lambda m: "\x01" + m.group(1)[0], rest)
    rest = _protect_parentheses(rest)
    offset = 0
    for part in re.split(r";(?!\d)|\x00+", rest):
        start = rest.find(part, offset) if part else offset
        offset = start + len(part)
        text = clean(part)
        if text.startswith("(") and text.endswith(")"):
            # only a note was left once the internal source name went: the toolkit's own decision
            text = "Toolkit rule: " + text[1:-1]
            part = "[R]" + part
        if len(text) < 4 or not re.search(r"[A-Za-z]{3}", text):
            continue
        found.append((start, Reference(text, _level_of(part))))
    found.sort(key=lambda pair: pair[0])
    out: list[Reference] = []
    for _, ref in found:
        if ref not in out:
            out.append(ref)
    return tuple(out)


def reader_text(citation: str) -> str:
    """One line: every reference with its evidence level, separated by semicolons."""
    return "; ".join(str(r) for r in reader(citation))


def note_text(text: str) -> str:
    """A free-text note (a licence notice, a caveat) without evidence tags."""
    return re.sub(r"\s{2,}", " ", _ANY_TAG.sub("", text or "")).replace(" .", ".").strip()


PROJECT_INTAKE = "Toolkit intake in its own wording; each rule it feeds is listed with its references in the rulebook."


def definition_text(citation: str) -> str:
    """An instrument definition's citation as pages print it (the project's own intakes cite the
    internal reference, which stays in the rulebook)."""
    if (citation or "").startswith("Project intake"):
        return PROJECT_INTAKE
    return reader_text(citation)


def legend() -> tuple[tuple[str, str], ...]:
    """The evidence-level legend as printed under a report (short name, meaning)."""
    return EVIDENCE_LEGEND
