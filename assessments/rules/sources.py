"""The sources of the rules and recommendations, as structured references.

Each constant is a :class:`~assessments.references.Source`: its string value is the *internal*
citation the rulebook prints (evidence tags [S] source seen, [S2] secondary source, [M] from memory,
[R] the reference's own recommendation; seed ids; where a copy was found), and it carries the
reader-facing reference (organisation or authors, year, title) and an evidence level from the
legend in :mod:`assessments.vocabulary`.  Pages and reports print only the reader-facing side
(:func:`assessments.references.reader`); rules keep composing citations with ``+`` as before.
"""

from __future__ import annotations

from ..references import Source

SEED_000 = Source(
    "Seed 000 'Spotting after running' (SportCoaching, running-coach web article; low-level evidence)",
    'SportCoaching. Spotting after running (practice article for runners)',
    'practice')
SEED_001 = Source(
    "Seed 001 'Understanding and managing pelvic pain after running' (pain-clinic web article, 2024; low-level evidence)",
    'Pelvic pain clinic. Understanding and managing pelvic pain after running, 2024 (practice article)',
    'practice')
SEED_002 = Source(
    "Seed 002 'Return to running after pregnancy' (Legacy PT / Anderson Sport and Wellness web article; low-level evidence)",
    'Legacy PT / Anderson Sport and Wellness. Return to running after pregnancy (practice article)',
    'practice')
NHSGGC_EPAS = Source(
    "NHS Greater Glasgow and Clyde Early Pregnancy Assessment Service, 'Seeking emergency services' [S]",
    'NHS Greater Glasgow and Clyde. Early Pregnancy Assessment Service: seeking emergency services',
    'guideline')
HEAVY_BLEEDING = Source(
    "NHS Greater Glasgow and Clyde Early Pregnancy Assessment Service, 'Seeking emergency services' [S]; BMJ Best Practice urgent considerations and triage pages (soaking >= 1 pad an hour for 2 hours, or with faintness) [S2]",
    'NHS Greater Glasgow and Clyde. Early Pregnancy Assessment Service: seeking emergency services; BMJ Best Practice. Urgent considerations: heavy bleeding',
    'guideline')
HSE_SPPH = Source(
    'HSE: postpartum haemorrhage from 24 hours to 6 weeks (heavier bleeding, clots, bad smell, fever, feeling unwell: contact midwife or GP) [S]',
    'Health Service Executive (Ireland). Postpartum haemorrhage from 24 hours to 6 weeks after birth',
    'guideline')
NHSGGC_PNB = Source(
    'NHSGGC obstetrics handbook: post-natal bleeding after 6 completed weeks from delivery [S]',
    'NHS Greater Glasgow and Clyde. Obstetrics handbook: postnatal bleeding after 6 weeks',
    'guideline')
GOOM_LIST = Source(
    'Goom T, Donnelly G, Brockwell E. Returning to running postnatal (2019), referral list as reproduced by derivative checklists (Valetudo, Summa Health, Active Pregnancy Foundation) [S2]',
    'Goom T, Donnelly G, Brockwell E. Returning to running postnatal: guidelines for medical, health and fitness professionals, 2019 (referral list)',
    'guideline')
GOOM = Source(
    'Goom T, Donnelly G, Brockwell E. Returning to running postnatal - guidelines for medical, health and fitness professionals managing this population (2019) [S: 3-month rule; test list and targets S2/M]; Donnelly GM et al. Br J Sports Med 2020;54:1114-1115 [S]',
    'Goom T, Donnelly G, Brockwell E. Returning to running postnatal: guidelines for medical, health and fitness professionals, 2019; Donnelly GM et al. Br J Sports Med 2020;54:1114-1115',
    'guideline')
GAQ_PP = Source(
    'CSEP Get Active Questionnaire for Postpartum (GAQ-PP) items as quoted in the clinical reference, section 4.7 [S2]',
    'Canadian Society for Exercise Physiology. Get Active Questionnaire for Postpartum (GAQ-PP)',
    'guideline')
NG12_PMB = Source(
    'NICE NG12 suspected cancer: postmenopausal bleeding at 55 or over -> suspected-cancer pathway (Medscape and iatrox NG12 summaries; Vale of York PMB definition) [S]',
    'NICE NG12. Suspected cancer: recognition and referral, 2015 (updated 2023): postmenopausal bleeding',
    'guideline')
PCB = Source(
    'Cornwall RMS post-coital bleeding referral criteria; HWE post-coital bleeding pathway; Cancer Council Australia abnormal vaginal bleeding guideline [S]',
    'Cornwall Referral Management Service and Hertfordshire and West Essex ICB. Post-coital bleeding referral pathways; Cancer Council Australia. Abnormal vaginal bleeding guideline',
    'guideline')
IMB = Source(
    'Review of intermenstrual and post-coital bleeding (coek) [S]; NICE 2005 referral list via liverpoolmedics [S2]',
    'Review of intermenstrual and post-coital bleeding; NICE referral guidelines for suspected cancer, 2005',
    'guideline')
NG88 = Source(
    'NICE NG88 heavy menstrual bleeding (guidelinesinpractice and primarycarenotebook summaries) [S]',
    'NICE NG88. Heavy menstrual bleeding: assessment and management, 2018',
    'guideline')
CAT2 = Source(
    'Stellingwerff T et al. IOC REDs Clinical Assessment Tool v2. Br J Sports Med 2023;57:1109-1121 (traffic-light criteria reproduced in Australian Doctor, 22 Aug 2025) [S]',
    'Stellingwerff T et al. International Olympic Committee REDs Clinical Assessment Tool version 2. Br J Sports Med 2023;57:1109-1121',
    'consensus')
IOC_SERIOUS = Source(
    'Mountjoy M et al. 2023 IOC consensus statement on REDs, Table 3 serious medical indicators [S]',
    'Mountjoy M et al. 2023 International Olympic Committee consensus statement on relative energy deficiency in sport, Table 3',
    'consensus')
RCOG_41 = Source(
    'RCOG Green-top Guideline 41 red flags, as applied by the BNSSG Remedy persistent pelvic pain pathway [S]',
    'RCOG Green-top Guideline 41. The initial management of chronic pelvic pain, 2012 (red flags, as used by the BNSSG persistent pelvic pain pathway)',
    'guideline')
HAEMATURIA = Source(
    'Exercise haematuria: JAMA 1979 post-marathon series, cleared by 48 h, extended testing if it persists beyond 48-72 h [S]; Ren Fail 2014 (PMID 24865509) [S]; NICE NG123 urgent referral criteria [S]',
    'Post-marathon haematuria case series, JAMA 1979; Ren Fail 2014 (PMID 24865509); NICE NG123 referral criteria',
    'study')
CORNWALL_PCB_ECTROPION = Source(
    'Cornwall RMS post-coital bleeding page: ectropion is physiological and needs no referral [S]',
    'Cornwall Referral Management Service. Post-coital bleeding: cervical ectropion',
    'guideline')
NG123_REFERRAL = Source(
    'NICE NG123 urinary incontinence and pelvic organ prolapse in women, referral criteria (primarycarenotebook summary, 2019) [S]',
    'NICE NG123. Urinary incontinence and pelvic organ prolapse in women: management, 2019 (referral criteria)',
    'guideline')
BLADDERMATTERS = Source(
    'bladdermatters.co.uk referral summary [S2]',
    'Bladder Matters. Referral summary for bladder problems',
    'practice')
GIRFT_CES = Source(
    'GIRFT cauda equina syndrome pathway (primary and community care); BMJ Best Practice [S]',
    'Getting It Right First Time. National suspected cauda equina syndrome pathway; BMJ Best Practice. Cauda equina syndrome',
    'guideline')
OVARIAN = Source(
    'Cornwall RMS chronic pelvic pain (NICE-based): CA125 for persistent or frequent (>12/month) symptoms [S]',
    'Cornwall Referral Management Service. Chronic pelvic pain (NICE-based): CA125 for persistent or frequent symptoms',
    'guideline')
BSI = Source(
    'IOC REDs CAT2: femoral neck, sacrum and pelvis are high-risk bone stress injury sites [S]; clinical presentation (hop pain, night pain, impact pain) from memory [M]',
    'International Olympic Committee REDs Clinical Assessment Tool version 2, 2023 (high-risk bone stress injury sites); clinical presentation by expert opinion',
    'consensus')
BNSSG_CPP = Source(
    'BNSSG Remedy persistent pelvic pain pathway; RCOG GTG41 definition (>= 6 months) [S]',
    'Bristol, North Somerset and South Gloucestershire Remedy. Persistent pelvic pain pathway; RCOG Green-top Guideline 41',
    'guideline')
ENDO = Source(
    'Clinical reference section 4.2 PP8 (cyclical pain, deep dyspareunia, dyschezia -> consider endometriosis) [M]',
    'Pelvic pain features suggesting endometriosis (cyclical pain, deep pain with sex, painful bowel opening)',
    'expert')
STI = Source(
    'RCOG GTG41 summary (guideline.gov): STI screening in pelvic pain [S]',
    'RCOG Green-top Guideline 41. The initial management of chronic pelvic pain, 2012: infection screening',
    'guideline')
GPREASONING_POP = Source(
    'gpreasoning.uk pelvic organ prolapse pathway [S2]',
    'GP Reasoning. Pelvic organ prolapse pathway',
    'practice')
NG123_POP = Source(
    'NICE NG123 1.7 (yumpu excerpt; iatrox): conservative care first, supervised PFMT >= 16 weeks for symptomatic POP-Q stage 1-2 [S]',
    'NICE NG123. Urinary incontinence and pelvic organ prolapse in women, 2019 (prolapse): supervised pelvic floor muscle training for at least 16 weeks',
    'guideline')
PESSARY = Source(
    'iatrox NICE NG123 summary: pessary removal and review at least every 6 months [S2]',
    'NICE NG123. Urinary incontinence and pelvic organ prolapse in women, 2019: pessary review',
    'guideline')
ATROPHY = Source(
    'NICE NG123 1.7.3 (yumpu excerpt): vaginal oestrogen for vaginal atrophy [S]',
    'NICE NG123. Urinary incontinence and pelvic organ prolapse in women, 2019: vaginal oestrogen for vaginal atrophy',
    'guideline')
P5 = Source(
    'Clinical reference section 4.4 P5 (voiding difficulty, recurrent UTI or obstructed defecation with prolapse) [M]',
    'Prolapse with voiding difficulty, recurrent urinary infection or obstructed defecation: specialist review',
    'expert')
F1 = Source(
    'RCOG GTG41 red flags via BNSSG (rectal bleeding, new bowel symptoms over 50, weight loss) [S] + iron-deficiency anaemia [M]',
    'RCOG Green-top Guideline 41 red flags (rectal bleeding, new bowel symptoms over 50, weight loss); iron-deficiency anaemia by expert opinion',
    'guideline')
F3 = Source(
    'Goom-derived referral list [S2]; postnatal faecal incontinence after OASI (clinical reference 4.5 F3) [M]',
    'Goom T et al. Returning to running postnatal, 2019 (referral list); postnatal faecal incontinence after a severe perineal tear by expert opinion',
    'guideline')
F4 = Source(
    'Clinical reference section 4.5 F4 (obstructed defecation, digitation, rectal prolapse -> colorectal) [M]',
    'Obstructed defecation, digitation or rectal prolapse: colorectal review',
    'expert')
MELIN = Source(
    'Melin A et al. Br J Sports Med 2014;48:540-545 (LEAF-Q total >= 8 at risk; sensitivity 78%, specificity 90%) [S]',
    'Melin A et al. The LEAF questionnaire: a screening tool for the identification of female athletes at risk for the female athlete triad. Br J Sports Med 2014;48:540-545',
    'study')
QS77 = Source(
    'NICE QS77 statement 4: supervised pelvic floor muscle training for at least 3 months for stress or mixed UI [S]; at least 8 contractions 3 times a day (tmmagazine / pharmacymagazine NICE summaries) [S]',
    'NICE QS77. Urinary incontinence in women, statement 4: supervised pelvic floor muscle training for at least 3 months',
    'guideline')
TIER_MODEL = Source(
    'Clinical reference section 6.2 tier model (T2a: any pelvic floor symptom) [R]',
    'Toolkit tier model: any pelvic floor symptom is offered supervised pelvic health physiotherapy',
    'expert')
NEBLETT = Source(
    'Neblett R et al. Pain Pract 2017;17:166-175: CSI severity levels, moderate 40-49 and above [S]',
    'Neblett R et al. Establishing clinically relevant severity levels for the Central Sensitization Inventory. Pain Pract 2017;17:166-175',
    'study')
CHRISTOPHER_2021 = Source(
    'Christopher SM, Cook CE, Snodgrass SJ. PLoS One 2021;16:e0255383 (postpartum running pain: sleep < 6.8 h, high fatigue, novice runner) [S]',
    'Christopher SM, Cook CE, Snodgrass SJ. Pain and running after childbirth. PLoS One 2021;16:e0255383',
    'study')
DELPHI_2024 = Source(
    'Christopher SM et al. Br J Sports Med 2024;58:299-312 and Deering RE et al. 2024 Delphi consensus (walk-run start, gradual progression, modify for sleep, lactation, mood, energy) [S]',
    'Christopher SM et al. Return-to-running readiness after childbirth: an international Delphi study and consensus statement. Br J Sports Med 2024;58:299-312',
    'consensus')
NG210 = Source(
    'NICE NG210 pelvic floor dysfunction: prevention and non-surgical management (2021) [S]',
    'NICE NG210. Pelvic floor dysfunction: prevention and non-surgical management, 2021',
    'guideline')
PERINATAL = Source(
    'Just One Norfolk perinatal pelvic health service: when to get help after birth [S]',
    'Just One Norfolk. Perinatal pelvic health service: when to get help after birth',
    'guideline')
LOAD = Source(
    'Nielsen RO et al. Br J Sports Med 2014 (sudden increases in running distance and injury) [M]; clinical reference section 5.6 [R]',
    'Nielsen RO et al. Excessive progression in weekly running distance and risk of running-related injuries. Br J Sports Med 2014 (by expert opinion, not yet checked)',
    'expert')
GOOM_TARGETS = Source(
    'Goom 2019 test list and targets as reproduced by derivative checklists (summahealth, ashley-lines, adoreyourpelvicfloor, fixprogram) [S2] and memory [M]; all tests symptom-free [S2]',
    'Goom T et al. Returning to running postnatal, 2019: test list and targets (as reproduced in published checklists)',
    'guideline')

# --- triage that fits the patient (issue 11): the project's policy decisions (clinical-policy.md
# sections 1-5) and the sources checked for them.  The reader-facing side names the underlying
# guideline or study; "clinical policy section N" stays in the rulebook.
POLICY_WINDOW = Source(
    "Clinical policy section 2: postnatal is a window (postnatal_window_months, default 12; perinatal pelvic health "
    "services cover the first year after birth, Just One Norfolk [S]); outside it a past birth is a risk factor "
    "(NICE NG210) [S]",
    'Perinatal pelvic health services (first year after birth); NICE NG210. Pelvic floor dysfunction: prevention '
    'and non-surgical management, 2021 (previous births as a risk factor)',
    'guideline')
POLICY_TIER = Source(
    "Clinical policy section 1: a seed rule asking for more than the tier model becomes a recommendation, not a "
    "higher tier [R]",
    'Toolkit tier model: advice beyond the tier is given as a recommendation',
    'expert')
POLICY_BLEEDING = Source(
    "Clinical policy section 3: a first heavy or period-like bleed is a new bleeding pattern (at least GP review); "
    "a first period-like bleed between periods is B6 [R]",
    'Toolkit bleeding policy: a first heavy or period-like bleed is a new bleeding pattern needing medical review',
    'expert')
POLICY_HAEMATURIA = Source(
    "Clinical policy section 3: a first episode of exercise haematuria that cleared within haematuria_clear_hours is "
    "education with a safety net, not a red flag [R]",
    'Exercise-related blood in the urine that clears within two to three days: education with a safety net',
    'expert')
POLICY_ECTOPIC = Source(
    "Clinical policy section 3: ectopic signs asked whenever pregnancy is possible with pain or bleeding (ectopic "
    "pregnancy can present without bleeding) [R]",
    'NHS Greater Glasgow and Clyde. Early Pregnancy Assessment Service: seeking emergency services (ectopic '
    'pregnancy can present with pain and no bleeding)',
    'guideline')
NG12_COLORECTAL = Source(
    "NICE NG12 Suspected cancer: recognition and referral (2015, updated 2023), colorectal recommendations 1.3.1 "
    "(50 and over with unexplained rectal bleeding: suspected-cancer pathway) and 1.3.3 (under 50 with rectal "
    "bleeding and abdominal pain, change in bowel habit, weight loss or iron-deficiency anaemia: consider the "
    "pathway); summarised by Macmillan rapid referral guidelines (lower gastrointestinal cancer) [S]",
    'NICE NG12. Suspected cancer: recognition and referral, 2015 (updated 2023): colorectal cancer, '
    'recommendations 1.3.1 and 1.3.3',
    'guideline')
SUSPICIOUS_CERVIX = Source(
    "Cornwall RMS and HWE post-coital bleeding pathways: a suspicious cervix on examination -> 2-week-wait referral "
    "(clinical reference 4.1 B5, 6.2 T4) [S]",
    'Cornwall Referral Management Service and Hertfordshire and West Essex ICB. Post-coital bleeding referral '
    'pathways: a suspicious cervix is referred on the suspected-cancer pathway',
    'guideline')
BSI_POLICY = Source(
    "Clinical policy section 4: a high-risk site plus at least one of impact or hop pain, night or rest pain, local "
    "bony tenderness; risk context changes the wording only [R]",
    'Toolkit bone stress policy: pain at a high-risk site with pain on impact or hopping, night or rest pain, or '
    'local bony tenderness',
    'expert')
PHQ9 = Source(
    "Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity measure. J Gen Intern "
    "Med 2001;16:606-613 (total >= 10: sensitivity and specificity 88% for major depression; 5/10/15/20 mild, "
    "moderate, moderately severe, severe) [S]",
    'Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity measure. '
    'J Gen Intern Med 2001;16:606-613',
    'study')
PHQ2 = Source(
    "Kroenke K, Spitzer RL, Williams JBW. The Patient Health Questionnaire-2: validity of a two-item depression "
    "screener. Med Care 2003;41:1284-1292 (score >= 3); Arroll B et al. Ann Fam Med 2010;8:348-353 (PHQ-2 >= 3: "
    "sensitivity 61%, specificity 92%; PHQ-9 >= 10: 74% / 91%) [S]",
    'Kroenke K, Spitzer RL, Williams JBW. The Patient Health Questionnaire-2. Med Care 2003;41:1284-1292; '
    'Arroll B et al. Ann Fam Med 2010;8:348-353',
    'study')
EPDS = Source(
    "Cox JL, Holden JM, Sagovsky R. Detection of postnatal depression: development of the 10-item Edinburgh Postnatal "
    "Depression Scale. Br J Psychiatry 1987;150:782-786 (total 0-30; 13 or more: assess for depression; any score "
    "above 0 on item 10 prompts further assessment) [S]",
    'Cox JL, Holden JM, Sagovsky R. Detection of postnatal depression: development of the 10-item Edinburgh '
    'Postnatal Depression Scale. Br J Psychiatry 1987;150:782-786',
    'study')
POLICY_MOOD = Source(
    "Clinical policy section 5: PHQ-9 >= 10 or EPDS >= 13 -> GP review; PHQ-9 item 9 or EPDS item 10 above zero -> "
    "same-day risk assessment by a clinician; stated intent -> emergency [R]; BNSSG Remedy persistent pelvic pain "
    "pathway: assess mood with PHQ-2 / PHQ-9 [S]",
    'Toolkit mood policy: depression screen scores above the published cut-offs are reviewed by a GP; thoughts of '
    'self-harm are assessed by a clinician the same day; BNSSG Remedy persistent pelvic pain pathway',
    'expert')
POLICY_RR09 = Source(
    "Seed 002 'Return to running after pregnancy' (RR-09, RR-12: strength work helps years after birth) kept as a "
    "recommendation outside the postnatal window (clinical policy section 2) [R]",
    'Legacy PT / Anderson Sport and Wellness. Return to running after pregnancy (practice article): strength work '
    'before running, whatever the time since birth',
    'practice')
