"""The clinic's data model (SQLAlchemy 2.x typed ORM).  Alembic migrations build the schema.

Object ids that appear in URLs are random (uuid4 hex), never sequential and never patient data.
Timestamps are UTC (see :class:`clinic.db.UTCDateTime`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import Base, UTCDateTime, utcnow


def new_id() -> str:
    return uuid.uuid4().hex


ROLES = ("clinician", "admin")
SEXES = (("female", "Female"), ("male", "Male"), ("intersex", "Intersex"), ("not_stated", "Prefer not to say"))
COMPLAINTS = (
    ("pelvic_pain", "Pelvic pain"),
    ("incontinence", "Urinary or faecal incontinence"),
    ("prolapse", "Prolapse symptoms (heaviness, bulge)"),
    ("bleeding", "Spotting or bleeding after running"),
    ("return_to_running", "Postnatal return to running"),
    ("energy", "Low energy availability"),
)


class Clinic(Base):
    __tablename__ = "clinics"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # --- clinic settings (issue 12; edited by administrators, read through clinic.settings) ---
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    alert_email: Mapped[str | None] = mapped_column(String(254))  # red-flag alerts also go here
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_mime: Mapped[str | None] = mapped_column(String(40))
    postnatal_window_months: Mapped[int | None] = mapped_column(Integer)  # None: the engine's default
    row_version: Mapped[int] = mapped_column(Integer, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('clinician', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="clinician")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # TOTP second factor (issue 13): the base32 seed, when it was enrolled, and the last time
    # step accepted (a code is usable once: a step at or before it is refused).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    clinic: Mapped[Clinic] = relationship(lazy="joined")

    @property
    def has_mfa(self) -> bool:
        return self.totp_enabled_at is not None and bool(self.totp_secret)

    # Flask-Login protocol (the session check lives in clinic.auth).
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class LoginSession(Base):
    """Server-side record of a clinician's login; the cookie holds only a random id.

    Logging out, deactivation and a password change end the row, so a copied cookie is dead.
    """

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie value
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(String(64))


class Patient(Base):
    __tablename__ = "patients"
    __table_args__ = (
        UniqueConstraint("clinic_id", "identifier", name="uq_patients_clinic_identifier"),
        Index("ix_patients_clinic_family", "clinic_id", "family_key", "given_key"),
        Index("ix_patients_clinic_dob", "clinic_id", "date_of_birth"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    # Lower-cased, accent-folded copies for indexed prefix search.
    given_key: Mapped[str] = mapped_column(String(100))
    family_key: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[dt.date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    identifier: Mapped[str | None] = mapped_column(String(40))  # e.g. NHS number or clinic record number
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Erasure requested while clinical records exist (see clinic.privacy): the record is kept for
    # the retention period but hidden from lists and search and frozen against every change.
    restricted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    restriction_reason: Mapped[str | None] = mapped_column(String(500))
    # Optimistic lock (see clinic.concurrency): every UPDATE is "... WHERE row_version = <read>".
    row_version: Mapped[int] = mapped_column(Integer, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}

    episodes: Mapped[list[Episode]] = relationship(
        back_populates="patient", order_by="Episode.opened_on.desc()", cascade="all, delete-orphan")
    name_parts: Mapped[list[PatientNamePart]] = relationship(cascade="all, delete-orphan")

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def set_name(self, given: str, family: str) -> None:
        """Set the names with their search keys and the searchable parts (see :func:`name_parts`)."""
        self.given_name, self.family_name = given, family
        self.given_key, self.family_key = name_key(given), name_key(family)
        wanted = name_parts(given, family)
        self.name_parts = [p for p in self.name_parts if p.part in wanted]
        have = {p.part for p in self.name_parts}
        self.name_parts.extend(PatientNamePart(clinic_id=self.clinic_id, part=part)
                               for part in sorted(wanted - have))


class PatientNamePart(Base):
    """One searchable part of a patient's name: each word of a double-barrelled or multi-word
    name ("Demo-Castillo" -> "demo-castillo", "demo", "castillo"), so a search for any of them
    finds the patient through the (clinic, part) primary key."""

    __tablename__ = "patient_name_parts"

    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), primary_key=True)
    # Binary ("C") order on PostgreSQL too: prefix search is an index range [term, next term),
    # which a linguistic collation breaks ("lopez" < "lope{" is false under en-GB).
    part: Mapped[str] = mapped_column(String(100).with_variant(String(100, collation="C"), "postgresql"),
                                      primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True,
                                            index=True)


NAME_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2013.,/()\[\]]+")
APOSTROPHES = re.compile(r"['\u2019\u02bc`]")
LETTERS = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ß": "ss",
                         "ı": "i", "ħ": "h", "ŧ": "t"})
"""Letters that Unicode does not decompose into a base letter, spelled as a keyboard without them would."""


def name_key(value: str) -> str:
    """Lower-case, accent-free form used for indexed prefix search."""
    folded = unicodedata.normalize("NFKD", value)
    return "".join(c for c in folded if not unicodedata.combining(c)).lower().strip()


def search_term(word: str) -> str:
    """A typed search word in the form :func:`name_parts` stores (folded, apostrophes dropped)."""
    key = name_key(word)
    return APOSTROPHES.sub("", key) or key


def name_parts(given: str, family: str) -> set[str]:
    """What a search term may be a prefix of: each whole name, each word of it (split at spaces,
    hyphens, full stops, slashes and brackets: "Smith (née Jones)"), each also with its apostrophes
    dropped and split at them ("O'Neill" -> "oneill", "o", "neill"), and with letters such as "ø"
    and "ł" spelled plainly ("Ørsted" -> "orsted")."""
    parts: set[str] = set()
    for value in (given, family):
        key = name_key(value)
        for candidate in (key, *NAME_SEPARATORS.split(key)):
            candidate = candidate.strip()
            if candidate:
                for form in (candidate, APOSTROPHES.sub("", candidate), *APOSTROPHES.split(candidate)):
                    if form:
                        parts.add(form[:100])
                        parts.add(form.translate(LETTERS)[:100])
    parts.discard("")
    return parts


class Episode(Base):
    """An episode of care: one or more complaints, opened and (later) closed."""

    __tablename__ = "episodes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(200))
    complaints: Mapped[list[str]] = mapped_column(JSON, default=list)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Optimistic lock (see clinic.concurrency).
    row_version: Mapped[int] = mapped_column(Integer, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}

    patient: Mapped[Patient] = relationship(back_populates="episodes")
    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="episode", order_by="Assessment.created_at")

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def complaint_labels(self) -> list[str]:
        names = dict(COMPLAINTS)
        return [names.get(c, c) for c in self.complaints or []]


class Assessment(Base):
    """A visit within an episode: the answers per instrument, the definition versions they were
    given against, and the computed result.  Signing locks it; amendments keep earlier versions
    in :class:`AssessmentRevision`."""

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'submitted', 'signed')", name="status"),
        Index("ix_assessments_clinic_status", "clinic_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    episode_id: Mapped[str] = mapped_column(ForeignKey("episodes.id"), index=True)
    source: Mapped[str] = mapped_column(String(20), default="clinic")  # clinic | patient_link
    status: Mapped[str] = mapped_column(String(20), default="draft")
    performed_on: Mapped[dt.date] = mapped_column(Date)
    clinician_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    instruments: Mapped[list[str]] = mapped_column(JSON, default=list)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    definition_versions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    overall_tier: Mapped[str | None] = mapped_column(String(4))
    red_flag_count: Mapped[int] = mapped_column(Integer, default=0)
    current_step: Mapped[int] = mapped_column(Integer, default=0)
    clinician_notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Optimistic lock (see clinic.concurrency): ``version`` counts signed versions (V1, V2 after an
    # amendment); ``row_version`` counts every stored change, and every form posts the one it read.
    row_version: Mapped[int] = mapped_column(Integer, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}

    episode: Mapped[Episode] = relationship(back_populates="assessments")
    patient: Mapped[Patient] = relationship()
    clinician: Mapped[User | None] = relationship(foreign_keys=[clinician_id])
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])
    revisions: Mapped[list[AssessmentRevision]] = relationship(
        back_populates="assessment", order_by="AssessmentRevision.version")

    @property
    def is_locked(self) -> bool:
        return self.status == "signed"


class AssessmentRevision(Base):
    """An earlier signed version of an assessment, kept when it is amended."""

    __tablename__ = "assessment_revisions"
    __table_args__ = (UniqueConstraint("assessment_id", "version", name="uq_assessment_revisions_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id"))
    version: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    definition_versions: Mapped[dict[str, str]] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    clinician_notes: Mapped[str | None] = mapped_column(Text)
    signed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    amended_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    amended_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)

    assessment: Mapped[Assessment] = relationship(back_populates="revisions")
    amended_by: Mapped[User] = relationship(foreign_keys=[amended_by_id])
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])


class Invitation(Base):
    """A pre-visit patient link.  Only the SHA-256 of the 256-bit token is stored."""

    __tablename__ = "invitations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    episode_id: Mapped[str] = mapped_column(ForeignKey("episodes.id"))
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    instruments: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Date-of-birth lock cycles so far; after DOB_MAX_LOCKS the link is revoked (issue 13).
    lock_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_to: Mapped[str | None] = mapped_column(String(254))

    patient: Mapped[Patient] = relationship()
    assessment: Mapped[Assessment] = relationship()
    created_by: Mapped[User] = relationship()


class OutboxMessage(Base):
    """Email sent while no SMTP server is configured (development): visible in the app."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# --------------------------------------------------------------------------- red-flag alerts (issue 12)

class Alert(Base):
    """A submitted intake fired a rule of T3 or higher: shown at the top of every clinician page of
    the clinic until a clinician acknowledges it (who, when, what was done), and emailed (see
    :class:`AlertDelivery`; the email carries no patient data, only a link to sign in)."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_clinic_open", "clinic_id", "acknowledged_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    tier: Mapped[str] = mapped_column(String(4))
    rule_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(20))  # patient_link | clinic
    notify_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who sent the link
    link: Mapped[str | None] = mapped_column(String(500))  # sign-in link the emails carry
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    send_count: Mapped[int] = mapped_column(Integer, default=0)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action_taken: Mapped[str | None] = mapped_column(Text)

    assessment: Mapped[Assessment] = relationship()
    patient: Mapped[Patient] = relationship()
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    deliveries: Mapped[list[AlertDelivery]] = relationship(back_populates="alert", order_by="AlertDelivery.id")


class AlertDelivery(Base):
    """One email of an alert to one address: pending, sent, or failed (retried by
    ``phat alerts --resend-due``; failures are listed for administrators)."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (Index("ix_alert_deliveries_status", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[str] = mapped_column(ForeignKey("alerts.id"), index=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    to_address: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    via: Mapped[str | None] = mapped_column(String(10))  # smtp | outbox
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    alert: Mapped[Alert] = relationship(back_populates="deliveries")


# --------------------------------------------------------------------------- signed-document archive (issue 12)

class SignedDocument(Base):
    """The PDFs of a signed version of an assessment, exactly as signed: the bytes, their SHA-256,
    the report template and rulebook versions they were made with, and the report data as it was
    (trends included).  Downloading a signed version serves these bytes; nothing re-renders it.
    One row per (assessment, signed version, kind); an amendment signs the next version, whose
    rows name the version they supersede.  Verified by ``phat verify-archive``."""

    __tablename__ = "signed_documents"
    __table_args__ = (UniqueConstraint("assessment_id", "version", "kind", name="uq_signed_documents_version_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)  # the assessment's signed version (V1, V2 ...)
    kind: Mapped[str] = mapped_column(String(20))  # clinician | patient
    report_id: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    template_version: Mapped[str] = mapped_column(String(40))
    rulebook_version: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    supersedes_version: Mapped[int | None] = mapped_column(Integer)
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEvent(Base):
    """Append-only record of every access to patient data and every security event.

    ``detail`` never holds patient data (ids, counts and codes only).  Updates and deletes are
    refused by the ORM (below) and by database triggers (see the initial migration).
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_clinic_at", "clinic_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(40))  # user | patient_link | system | anonymous
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    patient_id: Mapped[str | None] = mapped_column(String(32), index=True)
    clinic_id: Mapped[int | None] = mapped_column(Integer)
    ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


@event.listens_for(AuditEvent, "before_update")
def _audit_no_update(*_args: Any) -> None:
    raise RuntimeError("audit events are append-only")


@event.listens_for(AuditEvent, "before_delete")
def _audit_no_delete(*_args: Any) -> None:
    raise RuntimeError("audit events are append-only")


# --------------------------------------------------------------------------- jobs (issue 14)

JOB_STATUSES = ("queued", "running", "done", "failed")


class Job(Base):
    """Long work done outside web requests (bulk report export, email, backup, planner refresh).

    The row is the job's state for every backend (RQ over Redis, or the local worker process), so
    the progress page reads the same thing either way.  ``params`` and ``error`` hold ids, dates,
    counts and addresses only; anything secret (an email body with a link) is ``secret``,
    encrypted with a key derived from SECRET_KEY, and cleared once delivered."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        Index("ix_jobs_status_run_after", "status", "run_after"),
        Index("ix_jobs_clinic_kind_created", "clinic_id", "kind", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinics.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="queued")
    backend: Mapped[str | None] = mapped_column(String(10))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    secret: Mapped[str | None] = mapped_column(Text)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=1)
    run_after: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class JobFile(Base):
    """A file a job produced (a rendered report): kept in the database so that workers on other
    hosts need no shared folder; the download zips them."""

    __tablename__ = "job_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# --------------------------------------------------------------------------- issue 13: security (helper C)

class AuthThrottle(Base):
    """Failed password attempts per account and per address, shared by every worker and host.

    ``key`` is a SHA-256 of the scope and value ("account:<email>", "ip:<address>"): no email
    address or IP is stored here.  Updated with one atomic upsert per failure (see clinic.throttle).
    """

    __tablename__ = "auth_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_failure_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class PasswordReset(Base):
    """A self-service password reset link: single use, short-lived, only the SHA-256 of its
    256-bit token is stored (like the patient links)."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(String(64))


class MfaBackupCode(Base):
    """One-time backup codes for the second factor, each stored as a salted Argon2id hash."""

    __tablename__ = "mfa_backup_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
