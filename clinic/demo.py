"""Clearly-marked demo data for local runs (never loaded in production without --force)."""

from __future__ import annotations

import datetime as dt

from assessments.scenarios import SCENARIOS

from .db import db
from .demo_assessments import SCENARIO_PATIENTS, load_assessments
from .models import Clinic, Episode, Patient, User
from .security import hash_password

DEMO_EMAIL = "demo.physio@example.org"
DEMO_PASSWORD = "demo-pelvic-health-2026"  # noqa: S105 - published demo credential for local demo data only
LOGIN_HINT = f"Demo sign-in: {DEMO_EMAIL} / {DEMO_PASSWORD}"

PATIENTS = [
    # given, family, dob, sex, complaints, title
    ("Alex", "Demo-Harper", "1990-03-14", "female", ["bleeding", "energy"], "Spotting after long runs"),
    ("Sam", "Demo-Okafor", "1987-11-02", "female", ["return_to_running", "incontinence"],
     "Return to running 4 months after second baby"),
    ("Jo", "Demo-Lindqvist", "1979-06-25", "female", ["prolapse"], "Heaviness after parkrun"),
    ("Priya", "Demo-Raman", "1995-01-09", "female", ["pelvic_pain"], "Groin and pelvic pain on longer runs"),
    ("Morgan", "Demo-Fitzgerald", "1968-08-30", "female", ["incontinence"], "Leakage on downhill running"),
    ("Chris", "Demo-Novak", "1983-04-17", "male", ["pelvic_pain"], "Perineal ache after runs"),
    ("Taylor", "Demo-Mensah", "1999-12-03", "female", ["energy", "bleeding"], "Missed periods in marathon block"),
    ("Robin", "Demo-Castillo", "1992-07-21", "female", ["incontinence", "return_to_running"], "Postnatal check"),
]



def load() -> None:
    clinic = Clinic(name="Riverside Pelvic Health (DEMO)", address="1 Example Street, Demo Town")
    db.session.add(clinic)
    db.session.flush()
    user = User(clinic_id=clinic.id, email=DEMO_EMAIL, name="Dr Demo Physio", role="admin",
                job_title="Pelvic health physiotherapist (demo)", password_hash=hash_password(DEMO_PASSWORD))
    db.session.add(user)
    db.session.flush()
    today = dt.date.today()
    for i, (given, family, dob, sex, complaints, title) in enumerate(PATIENTS):
        patient = Patient(clinic_id=clinic.id, date_of_birth=dt.date.fromisoformat(dob), sex=sex,
                          email=f"{given.lower()}.demo@example.org", identifier=f"DEMO-{1001 + i}", is_demo=True)
        patient.set_name(given, family)
        db.session.add(patient)
        db.session.flush()
        db.session.add(Episode(clinic_id=clinic.id, patient_id=patient.id, title=title, complaints=complaints,
                               opened_on=today - dt.timedelta(days=70 - i), created_by_id=user.id))
    for j, (given, family, dob, sex, name) in enumerate(SCENARIO_PATIENTS):
        scenario = SCENARIOS[name]
        patient = Patient(clinic_id=clinic.id, date_of_birth=dt.date.fromisoformat(dob), sex=sex,
                          email=f"{given.lower()}.demo@example.org", identifier=f"DEMO-{2001 + j}", is_demo=True)
        patient.set_name(given, family)
        db.session.add(patient)
        db.session.flush()
        db.session.add(Episode(clinic_id=clinic.id, patient_id=patient.id, title=scenario["title"],
                               complaints=list(scenario["complaints"]), opened_on=today - dt.timedelta(days=3),
                               created_by_id=user.id))
    db.session.flush()
    load_assessments(clinic, user)
    db.session.commit()
