"""The project's own intakes, the Goom exam and the CAT2 history: they load, cover every red flag
of reference section 4, ask the source of bleeding first, show questions only when they apply,
let sensitive questions be declined, and do not copy the seed articles' sentences."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assessments import DECLINED, IntakeError, model, validate_intake
from assessments.recommendations import CATALOGUE
from assessments.triage import RULES

from .builders import intake

SHARED = Path(__file__).resolve().parents[3] / "shared"
OWN = ["intake-context", "intake-bleeding", "intake-pelvic-pain", "intake-bladder-bowel", "intake-prolapse",
       "goom-rtr", "reds-cat2"]
SECTION_4_IDS = ([f"B{i}" for i in range(1, 13)] + [f"PP{i}" for i in range(1, 10)] + [f"U{i}" for i in range(1, 15)]
                 + [f"P{i}" for i in range(1, 8)] + [f"F{i}" for i in range(1, 5)] + [f"R{i}" for i in range(1, 5)]
                 + [f"G{i}" for i in range(6)])


@pytest.mark.parametrize("iid", OWN)
def test_definition_loads_with_own_wording(iid):
    inst = model.get(iid)
    assert inst.wording == "own"
    assert inst.kind == ("exam" if iid == "goom-rtr" else "intake")
    assert inst.respondent == ("clinician" if iid == "goom-rtr" else "patient")
    assert inst.citation and inst.licence


def test_every_section_4_red_flag_and_gate_has_a_rule():
    missing = [rid for rid in SECTION_4_IDS if rid not in RULES]
    assert missing == []


def test_reference_red_flag_ids_are_all_implemented():
    ref = SHARED / "reference" / "clinical.md"
    if not ref.is_file():
        pytest.skip("shared reference not present")
    found = set(re.findall(r"^\| ((?:B|PP|U|P|F|R)\d+) \|", ref.read_text(encoding="utf-8"), re.M))
    assert found and found <= set(RULES)
    assert "F5" not in found  # the reference lists F1-F4 only; no F5 rule is invented


def test_postnatal_medical_screen_covers_section_4_7():
    codes = {o.code for o in model.get("goom-rtr").item("medical").options}
    assert {"syncope", "neuro", "dvt_pe", "bp", "chest_stroke", "abdominal_pain", "exertional", "dyspnoea",
            "fatigue", "infection", "fracture", "cs_wound", "bleeding"} <= codes


def test_goom_referral_list_and_tests_are_on_the_exam_form():
    inst = model.get("goom-rtr")
    assert {o.code for o in inst.item("referral").options} >= {"incontinence", "urgency", "heaviness", "dyspareunia",
                                                                 "obstructed", "lumbopelvic", "bleeding"}
    for test in ("walk", "jog", "bounds"):
        assert test in inst.item_ids and f"{test}_symptoms" in inst.item_ids
    for test in ("balance", "squat", "hop", "running_man", "calf_raise", "bridge", "sit_to_stand", "abduction"):
        assert {f"{test}_left", f"{test}_right", f"{test}_symptoms"} <= set(inst.item_ids)


def test_bleeding_asks_the_source_before_any_detail():
    ids = list(model.get("intake-bleeding").item_ids)
    assert ids.index("source") == ids.index("any_bleeding") + 1
    assert {o.code for o in model.get("intake-bleeding").item("source").options} == {"vaginal", "urine", "rectal",
                                                                                      "unsure"}
    for detail in ("timing", "heaviness", "after_sex", "urine_hours"):
        assert ids.index(detail) > ids.index("source")


def enabled(iid, answers):
    return {it.id for it in model.enabled_items(model.get(iid), answers)}


def test_bleeding_branches_only_show_when_they_apply():
    assert "source" not in enabled("intake-bleeding", {"any_bleeding": False})
    urine = enabled("intake-bleeding", {"any_bleeding": True, "source": "urine"})
    assert "urine_hours" in urine and "timing" not in urine and "after_sex" not in urine
    vaginal = enabled("intake-bleeding", {"any_bleeding": True, "source": "vaginal"})
    assert "timing" in vaginal and "urine_hours" not in vaginal
    assert "hourly_two_hours" not in vaginal
    assert "hourly_two_hours" in enabled("intake-bleeding", {"any_bleeding": True, "source": "vaginal",
                                                             "heaviness": "hourly"})


def test_bleeding_sources_are_multiple_choice_and_each_branch_shows():
    both = enabled("intake-bleeding", {"any_bleeding": True, "source": ["vaginal", "urine"]})
    assert {"timing", "after_sex", "urine_hours", "urine_recurs"} <= both
    assert model.get("intake-bleeding").item("source").type == "multi"
    # answers stored when the source was a single choice still validate and open their branch
    clean = model.clean_answers(model.get("intake-bleeding"), {"any_bleeding": True, "source": "urine",
                                                               "urine_hours": 10})
    assert clean["source"] == ["urine"] and clean["urine_hours"] == 10


def test_context_questions_only_show_when_they_apply():
    assert "pregnancy" not in enabled("intake-context", {"menopause": "post"})
    assert "pregnancy" in enabled("intake-context", {"menopause": "periods"})
    assert "weeks_since_birth" not in enabled("intake-context", {"given_birth": False})
    assert "iud_months" not in enabled("intake-context", {"contraception": ["implant"]})
    assert "iud_months" in enabled("intake-context", {"contraception": ["copper_iud"]})
    assert "perineal_trauma" not in enabled("intake-context", {"given_birth": True, "delivery": "caesarean_planned"})


def test_cauda_equina_follow_up_only_after_a_symptom():
    assert "ces_onset" not in enabled("intake-pelvic-pain", {"has_pain": False, "ces_symptoms": ["none"]})
    assert "ces_onset" in enabled("intake-pelvic-pain", {"has_pain": False, "ces_symptoms": ["leg_weakness"]})
    # safety questions are asked whether or not the patient reports pelvic pain
    shown = enabled("intake-pelvic-pain", {"has_pain": False})
    assert {"acute_severe", "ces_symptoms", "self_harm", "weight_loss", "mass", "ovarian"} <= shown
    assert "sites" not in shown


@pytest.mark.parametrize("iid,item", [("intake-pelvic-pain", "self_harm"), ("intake-pelvic-pain", "dyspareunia"),
                                      ("intake-pelvic-pain", "low_mood"), ("intake-bleeding", "after_sex"),
                                      ("intake-context", "mental_health"), ("intake-context", "perineal_trauma"),
                                      ("intake-bladder-bowel", "bowel_leak"), ("reds-cat2", "eating_worry")])
def test_sensitive_questions_can_be_declined(iid, item):
    assert model.get(iid).item(item).sensitive


def test_declined_is_accepted_only_for_sensitive_items():
    ok = intake(answers={"intake-pelvic-pain": {"has_pain": False, "self_harm": DECLINED}})
    assert validate_intake(ok)["answers"]["intake-pelvic-pain"]["self_harm"] == DECLINED
    with pytest.raises(IntakeError) as err:
        validate_intake(intake(answers={"intake-bladder-bowel": {"retention": DECLINED}}))
    assert "answers.intake-bladder-bowel.retention" in err.value.errors


def _shingles(text, n=7):
    words = re.findall(r"[a-z']+", text.lower())
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def test_no_seed_sentence_is_copied_into_the_intakes():
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("seed articles not present")
    seed_shingles = set().union(*(_shingles(p.read_text(encoding="utf-8")) for p in seeds))
    texts = []
    for iid in OWN:
        inst = model.get(iid)
        texts += [inst.intro or "", *inst.notes]
        for it in inst.items:
            texts += [it.label, it.help or "", *(o.label for o in it.options)]
    texts += [r.patient for r in CATALOGUE.values()]
    for spec in RULES.values():
        texts += [v.patient for v in spec.variants.values()]
    copied = [s for t in texts for s in _shingles(t) if s in seed_shingles]
    assert copied == []


def test_patient_sentences_carry_no_evidence_tags_or_rule_jargon():
    sentences = [v.patient for spec in RULES.values() for v in spec.variants.values()]
    sentences += [r.patient for r in CATALOGUE.values()]
    for text in sentences:
        assert text.strip()
        assert not re.search(r"\[(S|S2|M|R)\]|NICE|RCOG|GTG|NG\d+|CAT2|PFMT|T[0-5]\b", text), text


def test_every_rule_variant_has_clinician_text_and_every_rule_a_citation():
    for spec in RULES.values():
        assert spec.citation and spec.reference and spec.title
        for variant in spec.variants.values():
            assert variant.clinician and variant.action and variant.code


def test_every_patient_question_of_the_project_intakes_has_a_clinician_label():
    for iid in ("intake-context", "intake-bleeding", "intake-pelvic-pain", "intake-bladder-bowel", "intake-prolapse"):
        inst = model.get(iid)
        for it in inst.items:
            if inst.item_respondent(it) == "patient" and it.id != "concern":
                assert it.clinician_label, f"{iid}.{it.id}"
                assert it.label_for("patient") == it.label and it.label_for(None) == it.clinician_label
