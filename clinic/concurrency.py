"""No lost updates: every form posts the ``row_version`` it read; a stale write is refused.

Assessments, episodes and patients carry an SQLAlchemy ``version_id_col`` (``row_version``), so each
UPDATE is ``... WHERE id = :id AND row_version = :read`` and a concurrent change makes it match no
row (``StaleDataError``).  Views call :func:`expect_version` with the posted version before any
change and :func:`commit` at the end; both raise :class:`Conflict`, which the app answers with a
409 page that says what changed since the page was read and shows what the user typed (nothing
of it is stored).  On SQLite every transaction begins IMMEDIATE (clinic.db), so requests that
write are serialised and the posted-version check alone decides; on PostgreSQL the conditional
UPDATE decides when two requests read the same version at once.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, render_template
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.orm.exc import StaleDataError

from .db import db
from .models import AuditEvent, User

FIELD = "row_version"
"""The hidden form field carrying the version the page was rendered from."""


class Conflict(Exception):
    """A write based on an out-of-date read: nothing was stored."""

    def __init__(self, obj: Any, posted: int | None, *, action: str, typed: list[tuple[str, str]] | None = None,
                 back_url: str | None = None, render: Any = None):
        super().__init__(f"stale write to {type(obj).__name__} {getattr(obj, 'id', '?')}")
        self.obj = obj
        self.posted = posted
        self.action = action
        self.typed = typed or []
        self.back_url = back_url
        self.render = render  # optional callable(conflict) -> response, e.g. the step page again


def posted_version(form) -> int | None:
    try:
        value = int(form.get(FIELD, ""))
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def expect_version(obj: Any, posted: int | None, **conflict: Any) -> None:
    """Refuse the write unless the page was rendered from the stored version of ``obj``."""
    if posted is None or posted != obj.row_version:
        raise Conflict(obj, posted, **conflict)


@contextlib.contextmanager
def writing(obj: Any, posted: int | None, **conflict: Any):
    """Run a write and commit it; a concurrent change of ``obj`` met anywhere inside (a versioned
    UPDATE flushed early, or at the commit) becomes a :class:`Conflict` and nothing is stored."""
    try:
        yield
        db.session.commit()
    except (StaleDataError, IntegrityError) as exc:
        db.session.rollback()
        raise Conflict(obj, posted, **conflict) from exc


def commit(obj: Any, posted: int | None, **conflict: Any) -> None:
    """Commit, turning a concurrent change of ``obj`` (or a duplicate insert it caused) into a Conflict."""
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError) as exc:
        db.session.rollback()
        raise Conflict(obj, posted, **conflict) from exc


# --------------------------------------------------------------------------- what changed

ACTION_WORDS = {
    "assessment.answers_saved": "saved answers to {instrument}",
    "assessment.sign": "signed version {version}",
    "assessment.amend": "reopened signed version {from_version} for amendment",
    "assessment.add_instruments": "added {instruments}",
    "intake.submit": "sent the answers",
    "patient.update": "changed the patient's details",
    "episode.close": "closed the episode of care",
    "episode.reopen": "reopened the episode of care",
}


@dataclass
class Change:
    at: Any
    who: str
    what: str


@dataclass
class ConflictView:
    kind: str
    changes: list[Change] = field(default_factory=list)
    current: int | None = None


def describe(obj: Any, posted: int | None) -> ConflictView:
    """The stored changes made to ``obj`` since version ``posted`` (from the audit trail, which
    records the version each write replaced)."""
    from . import catalogue as defs

    kind = type(obj).__name__.lower()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_id == str(obj.id))
                                .order_by(AuditEvent.id.desc()).limit(100)).all()
    names = {}
    changes = []
    for ev in reversed(events):
        detail = ev.detail or {}
        replaced = detail.get("rv")
        if replaced is None or ev.action not in ACTION_WORDS or (posted is not None and replaced < posted):
            continue
        if ev.actor == "patient_link":
            who = "The patient"
        elif ev.actor_user_id is not None:
            if ev.actor_user_id not in names:
                user = db.session.get(User, ev.actor_user_id)
                names[ev.actor_user_id] = user.name if user else "A colleague"
            who = names[ev.actor_user_id]
        else:
            who = "Someone"
        values = {k: v for k, v in detail.items()}
        if "instrument" in values:
            values["instrument"] = defs.get(values["instrument"]).short_name if defs.known(values["instrument"]) \
                else values["instrument"]
        if "instruments" in values:
            values["instruments"] = ", ".join(defs.get(i).short_name if defs.known(i) else i
                                              for i in values["instruments"] or [])
        try:
            what = ACTION_WORDS[ev.action].format(**values)
        except (KeyError, IndexError):
            what = ACTION_WORDS[ev.action].split(" {")[0]
        changes.append(Change(ev.at, who, what))
    return ConflictView(kind, changes, getattr(obj, "row_version", None))


def init_app(app: Flask) -> None:
    @app.errorhandler(StaleDataError)
    def _stale(_exc: StaleDataError):
        """A stale write no view anticipated: still a conflict, never a server error."""
        from .errors import render_error

        db.session.rollback()
        return render_error(409, "Not saved: this record changed since you opened it",
                            "Someone else changed it while you had it open, so nothing you sent was saved. "
                            "Go back, reload the page and try again.")

    @app.errorhandler(Conflict)
    def _conflict(exc: Conflict):
        db.session.rollback()
        with contextlib.suppress(InvalidRequestError):  # gone from the database: the page still explains
            db.session.refresh(exc.obj)
        view = describe(exc.obj, exc.posted)
        if exc.render is not None:
            return exc.render(exc, view)
        return render_template("errors/conflict.html", conflict=exc, view=view), 409
