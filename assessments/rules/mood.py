"""Mood and safety (clinical policy section 5; clinical reference 4.2 PP9 and 6.2 "EPDS positive"):
PHQ-2 leading to PHQ-9 and, within the postnatal window, the EPDS.

Item-level safety rules read the raw answers (phase 1, before any score): PHQ-9 item 9 or EPDS
item 10 above zero -> a clinician assesses risk the same day (T4) and the patient sees crisis
contacts at once; a stated plan or intent -> emergency care (T5).  Totals are read in phase 2:
PHQ-9 >= 10 or EPDS >= 13 -> GP review (T3).
"""

from __future__ import annotations

from . import sources as src
from .base import Facts, Hit, V, rule

PHQ9 = "phq-9"
EPDS = "epds"
PHQ9_CUTOFF = 10   # Kroenke 2001: PHQ-9 >= 10, sensitivity and specificity 88% for major depression [S]
EPDS_CUTOFF = 13   # Cox 1987: 12/13 threshold; 13 or more -> assess for depression [S]

CRISIS = ("If you might act on these thoughts, call 999 or go to A&E now. You can also call NHS 111 and choose "
          "option 2 for mental health, or Samaritans on 116 123, any time, day or night.")


@rule("MOOD-RISK", title="Thoughts of self-harm on a mood questionnaire", domain="general",
      citation=src.PHQ9 + "; " + src.EPDS + "; " + src.POLICY_MOOD,
      reference="clinical policy 5; clinical reference 4.2 PP1 (suicidal ideation) and PP9",
      variants={
          "intent": V("T5", "RF_SELF_HARM_INTENT",
                      "{item} answered above zero with a stated plan or intent to act: same-day crisis care "
                      "(999 / A&E / crisis team); contact the patient now.",
                      "Thank you for telling us. You deserve support right now. " + CRISIS,
                      "Emergency: same-day crisis assessment; contact the patient now.", red_flag=True),
          "thoughts": V("T4", "RF_SELF_HARM_THOUGHTS",
                        "{item} answered '{answer}' (above zero): a clinician must assess risk the same day "
                        "(ask about plans, intent, protective factors; involve the GP or crisis team as needed).",
                        "Thank you for telling us. These thoughts are more common than people think, and help "
                        "works. Someone from the clinic will talk with you today. " + CRISIS,
                        "Same-day risk assessment by a clinician; crisis contacts given.", red_flag=True),
      })
def mood_risk(f: Facts) -> Hit | None:
    found = []
    for inst, item, name in ((PHQ9, "9", "PHQ-9 item 9"), (EPDS, "10", "EPDS item 10")):
        value = f.num(inst, item)
        if value is not None and value > 0:
            found.append((inst, item, name, value))
    if not found:
        return None
    because = tuple(f"{inst}.{item}={int(value)}" for inst, item, _, value in found)
    names = " and ".join(name for _, _, name, _ in found)
    if any(f.yes(inst, "intent") for inst, *_ in found):
        return Hit("intent", because + ("intent=true",), {"item": names})
    inst, item, _, value = found[0]
    option = _label(inst, item, value)
    return Hit("thoughts", because, {"item": names, "answer": option})


def _label(inst: str, item: str, value: float) -> str:
    from ..model import get
    opt = get(inst).item(item).option_for(value)
    return opt.label if opt else str(value)


@rule("MOOD-PHQ9", title="PHQ-9 at or above the depression cut-off", domain="general", phase=2,
      citation=src.PHQ9 + "; " + src.PHQ2 + "; " + src.POLICY_MOOD, reference="clinical policy 5; reference 4.2 PP9",
      variants={"default": V("T3", "PHQ9_AT_OR_ABOVE_10",
                             "PHQ-9 total {total} ({band}; cut-off {cutoff}, Kroenke 2001): GP review for possible "
                             "depression; include mood in the treatment plan.",
                             "Your answers suggest your mood has been low for a while. That is common with pelvic "
                             "health problems and it can be treated. Please book a GP appointment to talk about how "
                             "you are feeling.",
                             "GP review for possible depression.", red_flag=False)})
def mood_phq9(f: Facts) -> Hit | None:
    total = f.total(PHQ9)
    if total is None or total < PHQ9_CUTOFF:
        return None
    band = f.score(PHQ9).band
    return Hit(because=(f"phq-9 total={total}",),
               values={"total": total, "band": band.label if band else "no band", "cutoff": PHQ9_CUTOFF})


@rule("MOOD-EPDS", title="EPDS at or above the screening cut-off", domain="general", phase=2,
      citation=src.EPDS + "; " + src.POLICY_MOOD, reference="clinical policy 5; reference 6.2 T3 'EPDS positive'",
      variants={"default": V("T3", "EPDS_AT_OR_ABOVE_13",
                             "EPDS total {total} (screening cut-off {cutoff}, Cox 1987): GP review for possible "
                             "postnatal depression.",
                             "Your answers suggest you may be going through a low patch since having your baby. "
                             "This is common and treatable. Please talk to your GP, midwife or health visitor soon.",
                             "GP review for possible postnatal depression.", red_flag=False)})
def mood_epds(f: Facts) -> Hit | None:
    total = f.total(EPDS)
    if total is None or total < EPDS_CUTOFF:
        return None
    return Hit(because=(f"epds total={total}",), values={"total": total, "cutoff": EPDS_CUTOFF})
