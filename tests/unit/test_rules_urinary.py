"""NICE NG123 referral criteria U1-U14 and the urinary symptom codes."""

from __future__ import annotations

import pytest

from assessments.config import Config

from .builders import bb, codes, fired, ids, pain, run


def test_no_urinary_symptoms_no_urinary_rules():
    result = run(answers=bb())
    assert result.domains["urinary"] == "T0"


def test_u1_dipstick_haematuria_at_50_fires_and_49_does_not():
    assert fired(run({"age": 50}, bb(dipstick_blood="positive")), "U1")[0].tier == "T4"
    assert not fired(run({"age": 49}, bb(dipstick_blood="positive")), "U1")
    assert not fired(run({"age": 60}, bb(dipstick_blood="negative")), "U1")


def test_u3_recurrent_uti_with_blood_at_40_fires_and_39_is_u14_only():
    at40 = run({"age": 40}, bb(recurrent_uti=True, uti_blood=True))
    assert fired(at40, "U3")[0].tier == "T4"
    at39 = run({"age": 39}, bb(recurrent_uti=True, uti_blood=True))
    assert not fired(at39, "U3")


def test_u4_suspicious_mass_or_reported_lump():
    assert "RF_SUSPECTED_MALIGNANT_MASS" in codes(run(answers=bb(pelvic_mass="suspicious")))
    assert "RF_REPORTED_PELVIC_MASS" in codes(run(answers={"intake-pelvic-pain": {"has_pain": False, "mass": "yes"}}))
    assert not fired(run(answers=bb(pelvic_mass="benign")), "U4")


def test_u5_bladder_pain():
    assert fired(run(answers=bb(bladder_pain=True)), "U5")[0].tier == "T3"
    assert not fired(run(answers=bb(bladder_pain=False)), "U5")


def test_u6_benign_mass():
    assert fired(run(answers=bb(pelvic_mass="benign")), "U6")
    assert fired(run(answers={"intake-pelvic-pain": {"has_pain": False, "mass": "fibroids"}}), "U6")
    assert not fired(run(answers=bb(pelvic_mass="none")), "U6")


def test_u7_urinary_with_faecal_incontinence():
    assert fired(run(answers=bb(leak=True, leak_when=["effort"], bowel_leak=["wind"], bowel_leak_new=False)), "U7")
    assert not fired(run(answers=bb(leak=True, leak_when=["effort"])), "U7")
    assert not fired(run(answers=bb(bowel_leak=["liquid"], bowel_leak_new=False)), "U7")


def test_u8_known_neurological_condition_with_urinary_symptoms():
    assert fired(run({"diagnoses": ["neurological"]}, bb(urgency=True)), "U8")
    assert not fired(run({"diagnoses": ["neurological"]}, bb()), "U8")


def test_u9_voiding_difficulty():
    assert fired(run(answers=bb(voiding=["hesitancy"])), "U9")
    assert not fired(run(answers=bb(voiding=["none"])), "U9")


@pytest.mark.parametrize("answers", [bb(leak=True, leak_when=["continuous"]),
                                     {"iciq-ui-sf": {"3": 5, "4": 4, "5": 8, "6": ["all_time"]}}])
def test_u10_continuous_leakage(answers):
    assert fired(run(answers=answers), "U10")[0].tier == "T3"


def test_u10_not_for_effort_leakage():
    assert not fired(run(answers={"iciq-ui-sf": {"3": 2, "4": 2, "5": 3, "6": ["active"]}}), "U10")


def test_u11_previous_surgery_with_urinary_symptoms():
    assert fired(run(answers=bb(leak=True, leak_when=["effort"], previous_surgery=["radiotherapy"])), "U11")
    assert not fired(run(answers=bb(leak=True, leak_when=["effort"], previous_surgery=["hysterectomy"])), "U11")
    assert not fired(run(answers=bb(previous_surgery=["continence"])), "U11")


def test_u12_failed_treatment_goes_to_specialist():
    result = run(answers=bb(leak=True, leak_when=["effort"], previous_treatment=["pfmt"], treatment_helped="no"))
    assert fired(result, "U12")[0].tier == "T2b"
    assert not fired(run(answers=bb(previous_treatment=["pfmt"], treatment_helped="partly")), "U12")


def test_u13_acute_retention_is_emergency():
    result = run(answers=bb(retention=True))
    assert fired(result, "U13") and result.tier == "T5"
    assert not fired(run(answers=bb(retention=False)), "U13")


def test_u14_recurrent_uti_without_blood():
    assert fired(run(answers=bb(recurrent_uti=True, uti_blood=False)), "U14")
    assert not fired(run(answers=bb(recurrent_uti=True, uti_blood=True)), "U14")


def test_ui_atypical_configurable():
    answers = bb(leak=True, leak_when=["asleep"])
    assert fired(run(answers=answers), "UI-ATYPICAL")
    assert not fired(run(answers=answers, config=Config(atypical_leakage_gp=False)), "UI-ATYPICAL")
    assert not fired(run(answers=bb(leak=True, leak_when=["effort"])), "UI-ATYPICAL")


def test_sym_ui_from_own_intake_or_iciq_or_sandvik():
    assert fired(run(answers=bb(leak=True, leak_when=["running"])), "SYM-UI")
    assert fired(run(answers={"iciq-ui-sf": {"3": 1, "4": 2, "5": 1, "6": ["active"]}}), "SYM-UI")
    assert fired(run(answers={"sandvik-isi": {"frequency": 2, "amount": 1}}), "SYM-UI")
    assert not fired(run(answers={"iciq-ui-sf": {"3": 0, "4": 0, "5": 0, "6": ["never"]}}), "SYM-UI")


def test_leakage_offers_supervised_pfmt_with_the_nice_dose():
    result = run(answers=bb(leak=True, leak_when=["running"]))
    assert result.tier == "T2a"
    [pfmt] = [r for r in result.recommendations if r.id == "REC-PFMT"]
    assert "8 contractions 3 times a day" in pfmt.clinician and "3 months" in pfmt.clinician
    assert "QS77" in pfmt.citation


def test_urgency_gets_bladder_training_for_configured_weeks():
    result = run(answers=bb(urgency=True), config=Config(bladder_training_weeks=8))
    [rec] = [r for r in result.recommendations if r.id == "REC-BLADDER-TRAINING"]
    assert "8 weeks" in rec.clinician
    assert fired(result, "SYM-URGENCY")
    urge_only = run(answers=bb(leak=True, leak_when=["urgency"], urgency=True))
    assert "REC-PFMT" not in [r.id for r in urge_only.recommendations]


def test_sym_udi_reads_pfdi_items_15_to_20():
    answers = {"pfdi-20": {str(i): 0 for i in range(1, 21)}}
    assert not fired(run(answers=answers), "SYM-UDI")
    answers["pfdi-20"]["19"] = 2
    assert fired(run(answers=answers), "SYM-UDI")


def test_low_iciq_score_never_suppresses_retention():
    result = run(answers={**bb(retention=True), "iciq-ui-sf": {"3": 0, "4": 0, "5": 0, "6": ["never"]}})
    assert result.tier == "T5" and "U13" in ids(result)


def test_pp19_and_u7_with_pain_and_double_incontinence():
    result = run(answers={**pain(), **bb(leak=True, leak_when=["effort"], bowel_leak=["solid"], bowel_leak_new=False)})
    assert {"PP-19", "U7", "SYM-UI", "SYM-BOWEL"} <= ids(result)
