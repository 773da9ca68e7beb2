"""Demo assessments: a postnatal runner seen twice (so trends show), a runner with spotting, and
patient-link intakes waiting for review (one with a red flag). All answers go through the same
validation and engine as real ones."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select

import assessments
from assessments.scenarios import SCENARIOS

from . import alerts
from . import catalogue as defs
from .db import db, utcnow
from .intake_forms import age_on
from .models import Assessment, Clinic, Episode, Invitation, Patient, User
from .operations import refresh_result, token_hash

# One patient per realistic scenario (assessments/scenarios.py), each with a signed in-clinic assessment,
# so a new user sees what the review page and both reports say in each situation.
SCENARIO_PATIENTS = [
    # given, family, dob, sex, scenario
    ("Margaret", "Demo-Ellison", "1968-05-12", "female", "postmenopausal-bleeding"),
    ("Ines", "Demo-Carvalho", "2002-02-20", "female", "amenorrhoeic-marathoner"),
    ("Hannah", "Demo-Osei", "1993-01-15", "female", "postnatal-runner-14-weeks"),
    ("Dana", "Demo-Kowalska", "1985-09-03", "female", "cauda-equina"),
    ("Ruth", "Demo-Abernethy", "1984-03-28", "female", "stress-incontinence"),
    ("Claire", "Demo-Petit", "1979-11-11", "female", "prolapse-heaviness"),
    ("Leah", "Demo-Morgan", "1997-06-07", "female", "not-running-pelvic-pain"),
]


def _context(**overrides):
    base = {"age": 34, "menopause": "periods", "pregnancy": "no", "given_birth": False, "contraception": ["none"],
            "running_status": "regular", "run_km_week": 30, "load_change": "none", "rest_days": 2,
            "race_goal": "half", "skip_meals": False, "push_through_fatigue": False, "sleep_hours": 7.5,
            "fatigue": "usual", "life_stress": "moderate", "diagnoses": ["none"], "mental_health": ["none"],
            "feels_off": False}
    base.update(overrides)
    return base


def _postnatal(weeks: int):
    return _context(age=33, given_birth=True, weeks_since_birth=weeks, delivery="vaginal", perineal_trauma="minor",
                    breastfeeding=True, running_status="returning" if weeks >= 12 else "planning",
                    run_km_week=5 if weeks >= 12 else None, rest_days=3, sleep_hours=6, fatigue="more_tired",
                    race_goal="short")


def _bladder(leak: bool):
    return {"leak": leak, **({"leak_when": ["running", "effort"]} if leak else {}), "urgency": False,
            "voiding": ["none"], "retention": False, "recurrent_uti": False, "bladder_pain": False,
            "bowel_urgency": False, "bowel_leak": ["none"], "obstructed": ["none"], "constipation": False,
            "bowel_change": False, "rectal_blood": False, "previous_treatment": ["none"], "previous_surgery": ["none"]}


def _rtr(squat_left: int, hop_symptom: str):
    per_side = {"balance": 10, "squat": 10, "hop": 10, "running_man": 10}
    answers = {"medical": ["none"], "walk": 30, "walk_symptoms": ["none"], "jog": 60, "jog_symptoms": ["none"],
               "bounds": 10, "bounds_symptoms": ["none"], "abdominal": ["none"], "referral": ["none"],
               "modifiers": ["breastfeeding"]}
    for name, target in per_side.items():
        answers[f"{name}_left"] = target
        answers[f"{name}_right"] = target
        answers[f"{name}_symptoms"] = ["none"]
    answers["squat_left"] = squat_left
    answers["hop_symptoms"] = [hop_symptom]
    for name in ("calf_raise", "bridge", "sit_to_stand", "abduction"):
        answers[f"{name}_left"] = 20
        answers[f"{name}_right"] = 20
        answers[f"{name}_symptoms"] = ["none"]
    answers["calf_raise_left"] = 16
    return answers


def _add(clinic: Clinic, user: User, patient: Patient, answers: dict, *, days_ago: int, status: str,
         source: str = "clinic", notes: str | None = None) -> Assessment:
    episode = db.session.scalar(select(Episode).where(Episode.patient_id == patient.id))
    instruments = defs.order(list(answers))
    when = utcnow() - dt.timedelta(days=days_ago)
    if defs.CONTEXT in answers:  # the age follows the date of birth, as in the forms
        answers = {**answers, defs.CONTEXT: {**answers[defs.CONTEXT],
                                             "age": age_on(patient.date_of_birth, when.date())}}
    clean = {iid: assessments.clean_answers(assessments.get(iid), given) for iid, given in answers.items()}
    a = Assessment(clinic_id=clinic.id, patient_id=patient.id, episode_id=episode.id, source=source, status=status,
                   performed_on=when.date(), clinician_id=user.id, instruments=instruments, answers=clean,
                   definition_versions={i: defs.get(i).version for i in instruments},
                   current_step=len(instruments), clinician_notes=notes, created_at=when)
    db.session.add(a)
    db.session.flush()
    refresh_result(a)
    if status in ("submitted", "signed"):
        a.submitted_at = when
    if status == "signed":
        a.signed_at = when + dt.timedelta(minutes=40)
        a.signed_by_id = user.id
        a.reviewed_at = a.signed_at
    if source == "patient_link":
        db.session.add(Invitation(clinic_id=clinic.id, patient_id=patient.id, episode_id=episode.id,
                                  assessment_id=a.id, token_hash=token_hash(secrets.token_urlsafe(32)),
                                  instruments=instruments, created_by_id=user.id,
                                  created_at=when - dt.timedelta(days=2),
                                  expires_at=when + dt.timedelta(days=12), verified_at=when, opened_at=when,
                                  submitted_at=when if status != "draft" else None))
        if status == "submitted":
            db.session.flush()
            alerts.raise_for(a)  # as a real submission does: a T3+ intake waits as a red-flag alert
    return a


def load_assessments(clinic: Clinic, user: User) -> None:
    patients = {p.family_name: p for p in db.session.scalars(select(Patient).where(Patient.clinic_id == clinic.id))}

    sam = patients["Demo-Okafor"]
    _add(clinic, user, sam, {
        "intake-context": _postnatal(9), "intake-bladder-bowel": _bladder(True),
        "iciq-ui-sf": {"3": 3, "4": 2, "5": 5, "6": ["cough_sneeze", "active"]},
        "pop-ss": {"1": 1, "2": 2, "3": 1, "4": 1, "5": 0, "6": 1, "7": 0},
        "oxford-perfect": {"power": 2, "endurance": 4, "repetitions": 4, "fast": 6, "relaxation": "normal"},
    }, days_ago=63, status="signed", notes="Weak contraction with good relaxation. PFMT taught; review in 8 weeks.")
    _add(clinic, user, sam, {
        "intake-context": _postnatal(18), "intake-bladder-bowel": _bladder(True),
        "iciq-ui-sf": {"3": 1, "4": 2, "5": 2, "6": ["active"]},
        "pop-ss": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 0, "6": 0, "7": 0},
        "goom-rtr": _rtr(squat_left=8, hop_symptom="leakage"),
        "oxford-perfect": {"power": 3, "endurance": 7, "repetitions": 6, "fast": 9, "relaxation": "normal"},
    }, days_ago=0, status="signed", notes="Big improvement. Hop still provokes a little leakage; left squat short.")

    alex = patients["Demo-Harper"]
    _add(clinic, user, alex, {
        "intake-context": _context(age=36, run_km_week=55, load_change="both", skip_meals=True,
                                   push_through_fatigue=True, fatigue="more_tired", race_goal="marathon"),
        "intake-bleeding": {"heavy_periods": "no", "any_bleeding": True, "source": "vaginal", "timing": "no_pattern",
                            "with_runs": "some_runs", "run_type": ["hard", "long"], "heaviness": "spotting",
                            "clots": False, "getting_heavier": False, "lasts": "hours", "faint": ["none"],
                            "fever": False, "discharge": False, "pain": ["none"], "after_sex": "no",
                            "since_birth": "not_recent", "ectropion": False, "dryness": False, "duration": "weeks",
                            "new_pattern": True, "heavy_training": "yes", "cycle_changes": ["skipped"],
                            "low_energy": True, "injuries_illness": False, "periods_returning": False},
    }, days_ago=2, status="signed", notes="Likely load and fuelling related; GP review for the new pattern.")

    taylor = patients["Demo-Mensah"]
    _add(clinic, user, taylor, {
        "intake-context": _context(age=24, run_km_week=80, load_change="distance", skip_meals=True,
                                   race_goal="marathon"),
        "intake-bleeding": {"heavy_periods": "no", "any_bleeding": True, "source": "vaginal", "timing": "no_pattern",
                            "with_runs": "some_runs", "heaviness": "hourly", "hourly_two_hours": True, "clots": True,
                            "getting_heavier": True, "lasts": "several_days", "faint": ["dizzy"], "fever": False,
                            "discharge": False, "pain": ["cramps"], "after_sex": "not_active",
                            "since_birth": "not_recent", "ectropion": False, "dryness": False, "duration": "first",
                            "new_pattern": True, "heavy_training": "yes", "cycle_changes": ["unpredictable"],
                            "low_energy": True, "injuries_illness": True, "periods_returning": True},
    }, days_ago=0, status="submitted", source="patient_link")

    jo = patients["Demo-Lindqvist"]
    _add(clinic, user, jo, {
        "intake-context": _context(age=47, menopause="peri", given_birth=True, weeks_since_birth=900,
                                   delivery="vaginal", perineal_trauma="minor", breastfeeding=False),
        "intake-prolapse": {"heaviness": "often", "worse_running": True, "bulge": "inside", "diagnosed": False,
                            "pessary": False, "dryness": False},
        "pop-ss": {"1": 2, "2": 3, "3": 2, "4": 1, "5": 1, "6": 2, "7": 1},
    }, days_ago=1, status="submitted", source="patient_link")

    for _given, family, _dob, _sex, name in SCENARIO_PATIENTS:
        intake = SCENARIOS[name]["intake"]
        _add(clinic, user, patients[family], {"intake-context": intake["context"], **intake["answers"]},
             days_ago=1, status="signed", notes=f"Demo scenario: {SCENARIOS[name]['title']}.")
