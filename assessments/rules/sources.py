"""Citation strings printed with fired rules and recommendations.

Each string names the source and carries the clinical reference's evidence tag:
[S] source seen, [S2] secondary source, [M] from memory (configurable or flagged), [R] the
reference's own recommendation.  "ref" points at the section of shared/reference/clinical.md.
"""

from __future__ import annotations

SEED_000 = ("Seed 000 'Spotting after running' (SportCoaching, running-coach web article; low-level evidence)")
SEED_001 = ("Seed 001 'Understanding and managing pelvic pain after running' (pain-clinic web article, 2024; "
            "low-level evidence)")
SEED_002 = ("Seed 002 'Return to running after pregnancy' (Legacy PT / Anderson Sport and Wellness web article; "
            "low-level evidence)")

NHSGGC_EPAS = "NHS Greater Glasgow and Clyde Early Pregnancy Assessment Service, 'Seeking emergency services' [S]"
HEAVY_BLEEDING = (NHSGGC_EPAS + "; BMJ Best Practice urgent considerations and triage pages "
                  "(soaking >= 1 pad an hour for 2 hours, or with faintness) [S2]")
HSE_SPPH = ("HSE: postpartum haemorrhage from 24 hours to 6 weeks (heavier bleeding, clots, bad smell, fever, "
            "feeling unwell: contact midwife or GP) [S]")
NHSGGC_PNB = "NHSGGC obstetrics handbook: post-natal bleeding after 6 completed weeks from delivery [S]"
GOOM_LIST = ("Goom T, Donnelly G, Brockwell E. Returning to running postnatal (2019), referral list as reproduced "
             "by derivative checklists (Valetudo, Summa Health, Active Pregnancy Foundation) [S2]")
GOOM = ("Goom T, Donnelly G, Brockwell E. Returning to running postnatal - guidelines for medical, health and "
        "fitness professionals managing this population (2019) [S: 3-month rule; test list and targets S2/M]; "
        "Donnelly GM et al. Br J Sports Med 2020;54:1114-1115 [S]")
GAQ_PP = "CSEP Get Active Questionnaire for Postpartum (GAQ-PP) items as quoted in the clinical reference, section 4.7 [S2]"
NG12_PMB = ("NICE NG12 suspected cancer: postmenopausal bleeding at 55 or over -> suspected-cancer pathway "
            "(Medscape and iatrox NG12 summaries; Vale of York PMB definition) [S]")
PCB = ("Cornwall RMS post-coital bleeding referral criteria; HWE post-coital bleeding pathway; Cancer Council "
       "Australia abnormal vaginal bleeding guideline [S]")
IMB = ("Review of intermenstrual and post-coital bleeding (coek) [S]; NICE 2005 referral list via "
       "liverpoolmedics [S2]")
NG88 = "NICE NG88 heavy menstrual bleeding (guidelinesinpractice and primarycarenotebook summaries) [S]"
CAT2 = ("Stellingwerff T et al. IOC REDs Clinical Assessment Tool v2. Br J Sports Med 2023;57:1109-1121 "
        "(traffic-light criteria reproduced in Australian Doctor, 22 Aug 2025) [S]")
IOC_SERIOUS = "Mountjoy M et al. 2023 IOC consensus statement on REDs, Table 3 serious medical indicators [S]"
RCOG_41 = ("RCOG Green-top Guideline 41 red flags, as applied by the BNSSG Remedy persistent pelvic pain "
           "pathway [S]")
HAEMATURIA = ("Exercise haematuria: JAMA 1979 post-marathon series, cleared by 48 h, extended testing if it "
              "persists beyond 48-72 h [S]; Ren Fail 2014 (PMID 24865509) [S]; NICE NG123 urgent referral "
              "criteria [S]")
CORNWALL_PCB_ECTROPION = "Cornwall RMS post-coital bleeding page: ectropion is physiological and needs no referral [S]"
NG123_REFERRAL = ("NICE NG123 urinary incontinence and pelvic organ prolapse in women, referral criteria "
                  "(primarycarenotebook summary, 2019) [S]")
BLADDERMATTERS = "bladdermatters.co.uk referral summary [S2]"
GIRFT_CES = "GIRFT cauda equina syndrome pathway (primary and community care); BMJ Best Practice [S]"
OVARIAN = "Cornwall RMS chronic pelvic pain (NICE-based): CA125 for persistent or frequent (>12/month) symptoms [S]"
BSI = ("IOC REDs CAT2: femoral neck, sacrum and pelvis are high-risk bone stress injury sites [S]; clinical "
       "presentation (hop pain, night pain, impact pain) from memory [M]")
BNSSG_CPP = "BNSSG Remedy persistent pelvic pain pathway; RCOG GTG41 definition (>= 6 months) [S]"
ENDO = "Clinical reference section 4.2 PP8 (cyclical pain, deep dyspareunia, dyschezia -> consider endometriosis) [M]"
STI = "RCOG GTG41 summary (guideline.gov): STI screening in pelvic pain [S]"
GPREASONING_POP = "gpreasoning.uk pelvic organ prolapse pathway [S2]"
NG123_POP = ("NICE NG123 1.7 (yumpu excerpt; iatrox): conservative care first, supervised PFMT >= 16 weeks for "
             "symptomatic POP-Q stage 1-2 [S]")
PESSARY = "iatrox NICE NG123 summary: pessary removal and review at least every 6 months [S2]"
ATROPHY = "NICE NG123 1.7.3 (yumpu excerpt): vaginal oestrogen for vaginal atrophy [S]"
P5 = "Clinical reference section 4.4 P5 (voiding difficulty, recurrent UTI or obstructed defecation with prolapse) [M]"
F1 = "RCOG GTG41 red flags via BNSSG (rectal bleeding, new bowel symptoms over 50, weight loss) [S] + iron-deficiency anaemia [M]"
F3 = "Goom-derived referral list [S2]; postnatal faecal incontinence after OASI (clinical reference 4.5 F3) [M]"
F4 = "Clinical reference section 4.5 F4 (obstructed defecation, digitation, rectal prolapse -> colorectal) [M]"
MELIN = ("Melin A et al. Br J Sports Med 2014;48:540-545 (LEAF-Q total >= 8 at risk; sensitivity 78%, "
         "specificity 90%) [S]")
QS77 = ("NICE QS77 statement 4: supervised pelvic floor muscle training for at least 3 months for stress or mixed "
        "UI [S]; at least 8 contractions 3 times a day (tmmagazine / pharmacymagazine NICE summaries) [S]")
TIER_MODEL = "Clinical reference section 6.2 tier model (T2a: any pelvic floor symptom) [R]"
NEBLETT = "Neblett R et al. Pain Pract 2017;17:166-175: CSI severity levels, moderate 40-49 and above [S]"
CHRISTOPHER_2021 = ("Christopher SM, Cook CE, Snodgrass SJ. PLoS One 2021;16:e0255383 (postpartum running pain: "
                    "sleep < 6.8 h, high fatigue, novice runner) [S]")
DELPHI_2024 = ("Christopher SM et al. Br J Sports Med 2024;58:299-312 and Deering RE et al. 2024 Delphi "
               "consensus (walk-run start, gradual progression, modify for sleep, lactation, mood, energy) [S]")
NG210 = "NICE NG210 pelvic floor dysfunction: prevention and non-surgical management (2021) [S]"
PERINATAL = "Just One Norfolk perinatal pelvic health service: when to get help after birth [S]"
LOAD = ("Nielsen RO et al. Br J Sports Med 2014 (sudden increases in running distance and injury) [M]; "
        "clinical reference section 5.6 [R]")
GOOM_TARGETS = ("Goom 2019 test list and targets as reproduced by derivative checklists (summahealth, "
                "ashley-lines, adoreyourpelvicfloor, fixprogram) [S2] and memory [M]; all tests symptom-free [S2]")

# --- issue 11: policy decisions and the sources checked for them (clinical-policy.md sections 1-5)
POLICY_WINDOW = ("Clinical policy section 2: postnatal is a window (postnatal_window_months, default 12; "
                 "perinatal pelvic health services cover the first year after birth, Just One Norfolk [S]); outside "
                 "it a past birth is a risk factor (NICE NG210) [S]")
POLICY_TIER = ("Clinical policy section 1: a seed rule asking for more than the tier model becomes a "
               "recommendation, not a higher tier [R]")
POLICY_BLEEDING = ("Clinical policy section 3: a first heavy or period-like bleed is a new bleeding pattern "
                   "(at least GP review); a first period-like bleed between periods is B6 [R]")
POLICY_HAEMATURIA = ("Clinical policy section 3: a first episode of exercise haematuria that cleared within "
                     "haematuria_clear_hours is education with a safety net, not a red flag [R]")
POLICY_ECTOPIC = ("Clinical policy section 3: ectopic signs asked whenever pregnancy is possible with pain or "
                  "bleeding (ectopic pregnancy can present without bleeding) [R]")
NG12_COLORECTAL = ("NICE NG12 Suspected cancer: recognition and referral (2015, updated 2023), colorectal "
                   "recommendations 1.3.1 (50 and over with unexplained rectal bleeding: suspected-cancer pathway) "
                   "and 1.3.3 (under 50 with rectal bleeding and abdominal pain, change in bowel habit, weight loss "
                   "or iron-deficiency anaemia: consider the pathway); summarised by Macmillan rapid referral "
                   "guidelines (lower gastrointestinal cancer) [S]")
SUSPICIOUS_CERVIX = ("Cornwall RMS and HWE post-coital bleeding pathways: a suspicious cervix on examination -> "
                     "2-week-wait referral (clinical reference 4.1 B5, 6.2 T4) [S]")
BSI_POLICY = ("Clinical policy section 4: a high-risk site plus at least one of impact or hop pain, night or rest "
              "pain, local bony tenderness; risk context changes the wording only [R]")
PHQ9 = ("Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity measure. "
        "J Gen Intern Med 2001;16:606-613 (total >= 10: sensitivity and specificity 88% for major depression; "
        "5/10/15/20 mild, moderate, moderately severe, severe) [S]")
PHQ2 = ("Kroenke K, Spitzer RL, Williams JBW. The Patient Health Questionnaire-2: validity of a two-item "
        "depression screener. Med Care 2003;41:1284-1292 (score >= 3); Arroll B et al. Ann Fam Med 2010;8:348-353 "
        "(PHQ-2 >= 3: sensitivity 61%, specificity 92%; PHQ-9 >= 10: 74% / 91%) [S]")
EPDS = ("Cox JL, Holden JM, Sagovsky R. Detection of postnatal depression: development of the 10-item Edinburgh "
        "Postnatal Depression Scale. Br J Psychiatry 1987;150:782-786 (total 0-30; 13 or more: assess for "
        "depression; any score above 0 on item 10 prompts further assessment) [S]")
POLICY_MOOD = ("Clinical policy section 5: PHQ-9 >= 10 or EPDS >= 13 -> GP review; PHQ-9 item 9 or EPDS item 10 "
               "above zero -> same-day risk assessment by a clinician; stated intent -> emergency [R]; BNSSG Remedy "
               "persistent pelvic pain pathway: assess mood with PHQ-2 / PHQ-9 [S]")
POLICY_RR09 = ("Seed 002 'Return to running after pregnancy' (RR-09, RR-12: strength work helps years after birth) "
               "kept as a recommendation outside the postnatal window (clinical policy section 2) [R]")
