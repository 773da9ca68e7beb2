"""Patient search: by date of birth, or by the start of any word of a patient's names.

The query planning lives here (issue 9 §4: out of the view).  A name search counts up to
``PATIENT_SEARCH_CAP`` matches; on SQLite, many matches are paged by walking the name index in
order (see :func:`search`), PostgreSQL chooses from its statistics.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select

from .db import db
from .models import Patient, PatientNamePart, search_term

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")
MAX_QUERY = 100
WALK_NAME_INDEX_FROM = 500
"""Name searches matching more patients than this page through the name index (see search)."""
EXISTS_WALK_BEFORE = 250
"""... checking each patient on the walk for the pages before this many rows (see search)."""
SEARCH_HELP = "Search by name or by date of birth (for example 1988-04-21)."


@dataclass
class SearchPage:
    patients: list[Patient]
    page: int
    pages: int
    total: int
    more: bool = False
    error: str | None = None
    by_dob: bool = False
    extra: dict = field(default_factory=dict)


def parse_search_date(q: str) -> dt.date | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(q, fmt).date()
        except ValueError:
            continue
    return None


def _like_prefix(value: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", value) + "%"


def _prefix(column, term: str):
    """``column`` starts with ``term``: an index range (usable on SQLite and PostgreSQL) plus the
    exact LIKE check, so the index narrows the rows and LIKE keeps the result exact."""
    pattern = _like_prefix(term)
    last = term[-1]
    if ord(last) >= 0x10FFFF:
        return column.like(pattern, escape="\\")
    upper = term[:-1] + chr(ord(last) + 1)
    return and_(column >= term, column < upper, column.like(pattern, escape="\\"))


def clean_query(q: str | None) -> str:
    return (q or "").strip()[:MAX_QUERY]


def search(clinic_id: int, q: str, page: int, *, per_page: int, cap: int) -> SearchPage:
    """One page of the clinic's patients matching ``q`` (all patients when ``q`` is empty)."""
    # Restricted records (erasure requested, kept for the retention period) are never listed;
    # their name parts are deleted, so name matches below cannot count them either.
    stmt = select(Patient).where(Patient.clinic_id == clinic_id, Patient.restricted_at.is_(None))
    search_error = None
    by_dob = False
    matches: list = []
    if q:
        when = parse_search_date(q)
        if when is not None:
            stmt = stmt.where(Patient.date_of_birth == when)
            by_dob = True
        else:
            terms = [search_term(t) for t in q.replace(",", " ").split() if t.strip()]
            if not terms or any(len(t) > 100 for t in terms):
                search_error = SEARCH_HELP
            for term in terms[:3]:
                # Each word typed must start some part of the name (any word of a double-barrelled
                # or multi-word name, with or without apostrophes), found through the parts' key.
                matches.append(select(PatientNamePart.patient_id).where(
                    PatientNamePart.clinic_id == clinic_id, _prefix(PatientNamePart.part, term)))
    more = False
    if matches:
        # Name searches count up to the cap: past it the list says "more than 1 000" and asks for
        # more letters, instead of counting thousands of "mor..." names on every keystroke.
        if len(matches) == 1:  # one word: counted from the parts' covering index alone
            found = matches[0].with_only_columns(PatientNamePart.patient_id).distinct().limit(cap + 1)
        else:
            found = stmt.with_only_columns(Patient.id).where(*(Patient.id.in_(m) for m in matches)).limit(cap + 1)
        total = db.session.scalar(select(func.count()).select_from(found.subquery()))
        more = total > cap
        total = min(total, cap)
    else:
        total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    pages = max(1, (total + per_page - 1) // per_page)
    page = min(max(1, page), pages)
    if matches and total > WALK_NAME_INDEX_FROM and db.session.get_bind().dialect.name == "sqlite":
        # Many matches (a common first syllable): walking the name index in order and keeping the
        # matching rows finds a page sooner than looking up and sorting every match.  SQLite's
        # planner cannot know the count, so it is steered: for the first pages each patient met on
        # the walk is checked through the parts' patient index (EXISTS); deeper, the matches are
        # collected once and the id lookup hidden from the planner ("id || ''" is not indexable).
        # PostgreSQL chooses from its statistics.
        if (page - 1) * per_page < EXISTS_WALK_BEFORE:
            stmt = stmt.where(*(m.where(PatientNamePart.patient_id == Patient.id).exists() for m in matches))
        else:
            stmt = stmt.where(*(Patient.id.op("||")("").in_(m) for m in matches))
    else:
        stmt = stmt.where(*(Patient.id.in_(m) for m in matches))
    # Ordering by date of birth first changes nothing when it is the search term, and steers the
    # planner to the date-of-birth index instead of scanning the name index in order.
    order = (Patient.date_of_birth,) if by_dob else ()
    patients = db.session.scalars(
        stmt.order_by(*order, Patient.family_key, Patient.given_key, Patient.id)
        .offset((page - 1) * per_page).limit(max(1, min(per_page, total - (page - 1) * per_page)))).all()
    return SearchPage(list(patients), page, pages, total, more, search_error, by_dob)
