"""A hand-built data set of past months (2025-09 to 2025-11), inserted directly with the ORM,
and the expected October 2025 values, worked out by hand.

Sites: AMS-DCR1 (dcr), AMS-OUT1 (outreach), RTM-NSP1 (pharmacy). Clients (gender, birth year;
age in 2025 and its group):

    ANNA  f 1990  35 -> 35_44        BERT  m 2001  24 -> under_25     CLEO  x 1970  55 -> 55_plus
    DIRK  m 2000  25 -> 25_34        EVA   f 1980  45 -> 45_54        NOOR  -  -    -> unknown

September 2025 (times UTC; Amsterdam is UTC+2 until 26 October 02:00 local, then UTC+1)
    S1  ANNA  DCR  09-10 10:00  dcr_visit inject, injects, syringe_1ml 10, 8 returned (counted),
                                referral hbv_test still `made` (overdue)
    S2  BERT  OUT  09-15 10:00  VOIDED street_outreach, injects, syringe_1ml 10
    S3  anon  NSP  09-20 10:00  nsp_exchange, syringe_2ml 5
    S4  anon  DCR  09-30 21:30  = 23:30 CEST on 30 September: September. dcr_visit inject

October 2025
    K1  ANNA  DCR  10-01 08:00  dcr_visit inject; injects, homeless; syringe_1ml 20, naloxone_kit 1;
                                15 returned (counted); trained in naloxone;
                                referral hcv_test, attended in November
    K2  ANNA  DCR  10-26 00:30  = 02:30 CEST (before the clocks go back). dcr_visit smoke; smokes
    K3  anon  DCR  10-26 01:30  = 02:30 CET (the second 02:30). dcr_visit, no route, no flags
    K4  BERT  OUT  10-05 12:00  street_outreach; injects; syringe_1ml 10, syringe_2ml 10;
                                30 returned (estimated); referrals ost (`made`, overdue),
                                hiv_test (not_attended)
    K5  anon  OUT  10-12 18:00  group of 3 people; street_outreach; smokes, homeless;
                                naloxone_kit 2, condom 10; trained in naloxone; its time
                                corrected by 20 minutes (the phone's clock was fast)
    K6  CLEO  OUT  10-31 22:30  = 23:30 CET on 31 October: October. street_outreach; sex_work;
                                syringe_1ml 5; 4 returned (counted); 1 overdose reversal reported
    K7  DIRK  NSP  10-15 09:00  nsp_exchange; injects, foreign_national; syringe_2ml 45;
                                25 returned (counted); referral hcv_test (declined)
    K8  EVA   NSP  10-20 09:00  pharmacy; injects; syringe_1ml 10; 12 returned (estimated);
                                referral housing (`made`, overdue)
    K9  NOOR  NSP  10-21 09:00  nsp_exchange; nothing else
    K10 DIRK  DCR  10-10 10:00  VOIDED dcr_visit inject; injects; syringe_1ml 100, naloxone_kit 5;
                                50 returned; trained; referral gp (`made`); time corrected

November 2025
    N1  ANNA  DCR  10-31 23:30  = 00:30 CET on 1 November: November. dcr_visit inject; injects;
                                syringe_1ml 10
    N2  BERT  OUT  11-10 10:00  street_outreach; injects; 5 returned (counted);
                                referral ost (attended)

Incidents
    I1  DCR  10-03 20:00  opioid_overdose, 2 doses, recovered_on_site
    I2  DCR  10-18 21:00  opioid_overdose, 1 dose, hospital
    I3  OUT  10-22 14:00  stimulant_overdose, 0 doses, hospital; time corrected by an hour
    I4  DCR  10-25 10:00  VOIDED opioid_overdose, 3 doses, death
    I5  NSP  11-02 10:00  other_medical, 0 doses, unknown
    I6  DCR  10-31 23:15  = 00:15 CET on 1 November: November. opioid_overdose, 1 dose, recovered

K1, K2, K3 and S1, S4, N1 are recorded by the worker `dcr-worker`; the others by `street-worker`.
"""

import itertools
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from outreach.auth.models import User
from outreach.catalog.models import EquipmentItem, ReferralType, Site
from outreach.clients.models import Client
from outreach.extensions import db
from outreach.records.models import Contact, ContactItem, Incident, Referral
from outreach.reports import rollups

DCR, OUT, NSP = "AMS-DCR1", "AMS-OUT1", "RTM-NSP1"
SITES = (DCR, OUT, NSP)
ALL = "ALL"
INDICATOR_NAMES = (
    "contacts",
    "people_contacted",
    "anonymous_contacts",
    "unique_clients",
    "new_clients",
    "contacts_by_flag",
    "unique_clients_by_flag",
    "contacts_by_gender",
    "unique_clients_by_gender",
    "contacts_by_age_group",
    "unique_clients_by_age_group",
    "items_distributed",
    "syringes_distributed",
    "syringes_returned",
    "return_rate",
    "naloxone_kits_distributed",
    "people_trained_naloxone",
    "overdose_reversals_reported",
    "referrals_made",
    "referrals_attended",
    "dcr_visits",
    "incidents",
    "incidents_by_outcome",
    "naloxone_doses_administered",
    "records_time_corrected",
    "sites_active",
)
# Supply counts: never suppressed. Everything else counts people.
SUPPLY = {
    "items_distributed",
    "syringes_distributed",
    "syringes_returned",
    "return_rate",
    "naloxone_kits_distributed",
    "sites_active",
}

# Every non-zero value of October 2025: (site, indicator, breakdown) -> value. What is not here
# is zero. Worked out by hand from the table in the module's docstring.
OCTOBER = {
    # contacts: DCR K1 K2 K3, OUT K4 K5 K6, NSP K7 K8 K9; K10 is voided. ALL 3 + 3 + 3 = 9
    (DCR, "contacts", ""): 3,
    (OUT, "contacts", ""): 3,
    (NSP, "contacts", ""): 3,
    (ALL, "contacts", ""): 9,
    (DCR, "contacts", "dcr_visit"): 3,
    (ALL, "contacts", "dcr_visit"): 3,
    (OUT, "contacts", "street_outreach"): 3,
    (ALL, "contacts", "street_outreach"): 3,
    (NSP, "contacts", "nsp_exchange"): 2,  # K7, K9
    (ALL, "contacts", "nsp_exchange"): 2,
    (NSP, "contacts", "pharmacy"): 1,  # K8
    (ALL, "contacts", "pharmacy"): 1,
    # people: DCR 1 + 1 + 1 = 3; OUT 1 + 3 (group K5) + 1 = 5; NSP 1 + 1 + 1 = 3; ALL 11
    (DCR, "people_contacted", ""): 3,
    (OUT, "people_contacted", ""): 5,
    (NSP, "people_contacted", ""): 3,
    (ALL, "people_contacted", ""): 11,
    # anonymous: K3 (DCR), K5 (OUT)
    (DCR, "anonymous_contacts", ""): 1,
    (OUT, "anonymous_contacts", ""): 1,
    (ALL, "anonymous_contacts", ""): 2,
    # unique: DCR ANNA (twice); OUT BERT, CLEO; NSP DIRK, EVA, NOOR; ALL 1 + 2 + 3 = 6
    (DCR, "unique_clients", ""): 1,
    (OUT, "unique_clients", ""): 2,
    (NSP, "unique_clients", ""): 3,
    (ALL, "unique_clients", ""): 6,
    # new: not ANNA (first seen in September); BERT (his September contact is voided), CLEO;
    # DIRK (his earlier October contact K10 is voided), EVA, NOOR. ALL 2 + 3 = 5
    (OUT, "new_clients", ""): 2,
    (NSP, "new_clients", ""): 3,
    (ALL, "new_clients", ""): 5,
    # contacts by flag: injects K1, K4, K7, K8; smokes K2, K5; homeless K1, K5; sex_work K6;
    # foreign_national K7
    (DCR, "contacts_by_flag", "injects"): 1,
    (OUT, "contacts_by_flag", "injects"): 1,
    (NSP, "contacts_by_flag", "injects"): 2,
    (ALL, "contacts_by_flag", "injects"): 4,
    (DCR, "contacts_by_flag", "smokes"): 1,
    (OUT, "contacts_by_flag", "smokes"): 1,
    (ALL, "contacts_by_flag", "smokes"): 2,
    (DCR, "contacts_by_flag", "homeless"): 1,
    (OUT, "contacts_by_flag", "homeless"): 1,
    (ALL, "contacts_by_flag", "homeless"): 2,
    (OUT, "contacts_by_flag", "sex_work"): 1,
    (ALL, "contacts_by_flag", "sex_work"): 1,
    (NSP, "contacts_by_flag", "foreign_national"): 1,
    (ALL, "contacts_by_flag", "foreign_national"): 1,
    # unique clients by flag: injects ANNA, BERT, DIRK + EVA; smokes and homeless only ANNA
    # (K5 is anonymous); sex_work CLEO; foreign_national DIRK
    (DCR, "unique_clients_by_flag", "injects"): 1,
    (OUT, "unique_clients_by_flag", "injects"): 1,
    (NSP, "unique_clients_by_flag", "injects"): 2,
    (ALL, "unique_clients_by_flag", "injects"): 4,
    (DCR, "unique_clients_by_flag", "smokes"): 1,
    (ALL, "unique_clients_by_flag", "smokes"): 1,
    (DCR, "unique_clients_by_flag", "homeless"): 1,
    (ALL, "unique_clients_by_flag", "homeless"): 1,
    (OUT, "unique_clients_by_flag", "sex_work"): 1,
    (ALL, "unique_clients_by_flag", "sex_work"): 1,
    (NSP, "unique_clients_by_flag", "foreign_national"): 1,
    (ALL, "unique_clients_by_flag", "foreign_national"): 1,
    # contacts by gender: f K1 K2 (DCR), K8 (NSP); m K4 (OUT), K7 (NSP); x K6 (OUT);
    # unknown K3 (DCR), K5 (OUT), K9 (NSP). 3 + 2 + 1 + 3 = 9
    (DCR, "contacts_by_gender", "f"): 2,
    (NSP, "contacts_by_gender", "f"): 1,
    (ALL, "contacts_by_gender", "f"): 3,
    (OUT, "contacts_by_gender", "m"): 1,
    (NSP, "contacts_by_gender", "m"): 1,
    (ALL, "contacts_by_gender", "m"): 2,
    (OUT, "contacts_by_gender", "x"): 1,
    (ALL, "contacts_by_gender", "x"): 1,
    (DCR, "contacts_by_gender", "unknown"): 1,
    (OUT, "contacts_by_gender", "unknown"): 1,
    (NSP, "contacts_by_gender", "unknown"): 1,
    (ALL, "contacts_by_gender", "unknown"): 3,
    # unique clients by gender: f ANNA (DCR), EVA (NSP); m BERT (OUT), DIRK (NSP);
    # x CLEO (OUT); unknown NOOR (NSP). 2 + 2 + 1 + 1 = 6
    (DCR, "unique_clients_by_gender", "f"): 1,
    (NSP, "unique_clients_by_gender", "f"): 1,
    (ALL, "unique_clients_by_gender", "f"): 2,
    (OUT, "unique_clients_by_gender", "m"): 1,
    (NSP, "unique_clients_by_gender", "m"): 1,
    (ALL, "unique_clients_by_gender", "m"): 2,
    (OUT, "unique_clients_by_gender", "x"): 1,
    (ALL, "unique_clients_by_gender", "x"): 1,
    (NSP, "unique_clients_by_gender", "unknown"): 1,
    (ALL, "unique_clients_by_gender", "unknown"): 1,
    # contacts by age group (2025 - birth year): K1 K2 ANNA 35 -> 35_44; K4 BERT 24 -> under_25;
    # K6 CLEO 55 -> 55_plus; K7 DIRK 25 -> 25_34; K8 EVA 45 -> 45_54; K3 K5 K9 unknown
    (DCR, "contacts_by_age_group", "35_44"): 2,
    (ALL, "contacts_by_age_group", "35_44"): 2,
    (OUT, "contacts_by_age_group", "under_25"): 1,
    (ALL, "contacts_by_age_group", "under_25"): 1,
    (OUT, "contacts_by_age_group", "55_plus"): 1,
    (ALL, "contacts_by_age_group", "55_plus"): 1,
    (NSP, "contacts_by_age_group", "25_34"): 1,
    (ALL, "contacts_by_age_group", "25_34"): 1,
    (NSP, "contacts_by_age_group", "45_54"): 1,
    (ALL, "contacts_by_age_group", "45_54"): 1,
    (DCR, "contacts_by_age_group", "unknown"): 1,
    (OUT, "contacts_by_age_group", "unknown"): 1,
    (NSP, "contacts_by_age_group", "unknown"): 1,
    (ALL, "contacts_by_age_group", "unknown"): 3,
    # unique clients by age group: one client in each group
    (DCR, "unique_clients_by_age_group", "35_44"): 1,
    (ALL, "unique_clients_by_age_group", "35_44"): 1,
    (OUT, "unique_clients_by_age_group", "under_25"): 1,
    (ALL, "unique_clients_by_age_group", "under_25"): 1,
    (OUT, "unique_clients_by_age_group", "55_plus"): 1,
    (ALL, "unique_clients_by_age_group", "55_plus"): 1,
    (NSP, "unique_clients_by_age_group", "25_34"): 1,
    (ALL, "unique_clients_by_age_group", "25_34"): 1,
    (NSP, "unique_clients_by_age_group", "45_54"): 1,
    (ALL, "unique_clients_by_age_group", "45_54"): 1,
    (NSP, "unique_clients_by_age_group", "unknown"): 1,
    (ALL, "unique_clients_by_age_group", "unknown"): 1,
    # items: DCR syringe_1ml 20 + naloxone_kit 1 = 21
    (DCR, "items_distributed", ""): 21,
    (DCR, "items_distributed", "syringe_1ml"): 20,
    (DCR, "items_distributed", "naloxone_kit"): 1,
    # OUT syringe_1ml 10 (K4) + 5 (K6) = 15, syringe_2ml 10, naloxone_kit 2, condom 10: 37
    (OUT, "items_distributed", ""): 37,
    (OUT, "items_distributed", "syringe_1ml"): 15,
    (OUT, "items_distributed", "syringe_2ml"): 10,
    (OUT, "items_distributed", "naloxone_kit"): 2,
    (OUT, "items_distributed", "condom"): 10,
    # NSP syringe_2ml 45 + syringe_1ml 10 = 55
    (NSP, "items_distributed", ""): 55,
    (NSP, "items_distributed", "syringe_1ml"): 10,
    (NSP, "items_distributed", "syringe_2ml"): 45,
    # ALL 21 + 37 + 55 = 113: syringe_1ml 20 + 15 + 10 = 45, syringe_2ml 10 + 45 = 55,
    # naloxone_kit 1 + 2 = 3, condom 10
    (ALL, "items_distributed", ""): 113,
    (ALL, "items_distributed", "syringe_1ml"): 45,
    (ALL, "items_distributed", "syringe_2ml"): 55,
    (ALL, "items_distributed", "naloxone_kit"): 3,
    (ALL, "items_distributed", "condom"): 10,
    # syringes: DCR 20; OUT 15 + 10 = 25; NSP 10 + 45 = 55; ALL 100
    (DCR, "syringes_distributed", ""): 20,
    (OUT, "syringes_distributed", ""): 25,
    (NSP, "syringes_distributed", ""): 55,
    (ALL, "syringes_distributed", ""): 100,
    # returned: DCR 15 counted; OUT 4 counted (K6) + 30 estimated (K4) = 34;
    # NSP 25 counted (K7) + 12 estimated (K8) = 37; ALL 15 + 34 + 37 = 86 (44 counted, 42 est.)
    (DCR, "syringes_returned", ""): 15,
    (DCR, "syringes_returned", "counted"): 15,
    (OUT, "syringes_returned", ""): 34,
    (OUT, "syringes_returned", "counted"): 4,
    (OUT, "syringes_returned", "estimated"): 30,
    (NSP, "syringes_returned", ""): 37,
    (NSP, "syringes_returned", "counted"): 25,
    (NSP, "syringes_returned", "estimated"): 12,
    (ALL, "syringes_returned", ""): 86,
    (ALL, "syringes_returned", "counted"): 44,
    (ALL, "syringes_returned", "estimated"): 42,
    # return rate: 15/20 = 0.75; 34/25 = 1.36; 37/55 = 0.6727 -> 0.673; 86/100 = 0.86
    (DCR, "return_rate", ""): 0.75,
    (OUT, "return_rate", ""): 1.36,
    (NSP, "return_rate", ""): 0.673,
    (ALL, "return_rate", ""): 0.86,
    # naloxone kits: DCR 1 (K1), OUT 2 (K5); ALL 3
    (DCR, "naloxone_kits_distributed", ""): 1,
    (OUT, "naloxone_kits_distributed", ""): 2,
    (ALL, "naloxone_kits_distributed", ""): 3,
    # trained: K1 (DCR), K5 (OUT); reversals: K6 (OUT)
    (DCR, "people_trained_naloxone", ""): 1,
    (OUT, "people_trained_naloxone", ""): 1,
    (ALL, "people_trained_naloxone", ""): 2,
    (OUT, "overdose_reversals_reported", ""): 1,
    (ALL, "overdose_reversals_reported", ""): 1,
    # referrals made: DCR hcv_test (K1); OUT ost + hiv_test (K4); NSP hcv_test (K7) + housing
    # (K8); the gp referral of voided K10 does not count. ALL 1 + 2 + 2 = 5
    (DCR, "referrals_made", ""): 1,
    (DCR, "referrals_made", "hcv_test"): 1,
    (OUT, "referrals_made", ""): 2,
    (OUT, "referrals_made", "ost"): 1,
    (OUT, "referrals_made", "hiv_test"): 1,
    (NSP, "referrals_made", ""): 2,
    (NSP, "referrals_made", "hcv_test"): 1,
    (NSP, "referrals_made", "housing"): 1,
    (ALL, "referrals_made", ""): 5,
    (ALL, "referrals_made", "hcv_test"): 2,
    (ALL, "referrals_made", "ost"): 1,
    (ALL, "referrals_made", "hiv_test"): 1,
    (ALL, "referrals_made", "housing"): 1,
    # attended (status now): only K1's hcv_test, attended in November
    (DCR, "referrals_attended", ""): 1,
    (DCR, "referrals_attended", "hcv_test"): 1,
    (ALL, "referrals_attended", ""): 1,
    (ALL, "referrals_attended", "hcv_test"): 1,
    # DCR visits: K1 inject, K2 smoke, K3 no route (unknown)
    (DCR, "dcr_visits", ""): 3,
    (DCR, "dcr_visits", "inject"): 1,
    (DCR, "dcr_visits", "smoke"): 1,
    (DCR, "dcr_visits", "unknown"): 1,
    (ALL, "dcr_visits", ""): 3,
    (ALL, "dcr_visits", "inject"): 1,
    (ALL, "dcr_visits", "smoke"): 1,
    (ALL, "dcr_visits", "unknown"): 1,
    # incidents: I1, I2 (DCR, opioid), I3 (OUT, stimulant); I4 voided; I6 is November
    (DCR, "incidents", ""): 2,
    (DCR, "incidents", "opioid_overdose"): 2,
    (OUT, "incidents", ""): 1,
    (OUT, "incidents", "stimulant_overdose"): 1,
    (ALL, "incidents", ""): 3,
    (ALL, "incidents", "opioid_overdose"): 2,
    (ALL, "incidents", "stimulant_overdose"): 1,
    (DCR, "incidents_by_outcome", "recovered_on_site"): 1,
    (DCR, "incidents_by_outcome", "hospital"): 1,
    (OUT, "incidents_by_outcome", "hospital"): 1,
    (ALL, "incidents_by_outcome", "recovered_on_site"): 1,
    (ALL, "incidents_by_outcome", "hospital"): 2,
    # doses: I1 2 + I2 1 = 3 (I3 none; I4 voided)
    (DCR, "naloxone_doses_administered", ""): 3,
    (ALL, "naloxone_doses_administered", ""): 3,
    # times corrected: K5 and I3 at OUT (K10 is voided)
    (OUT, "records_time_corrected", ""): 2,
    (ALL, "records_time_corrected", ""): 2,
    # active sites: all three had contacts
    (DCR, "sites_active", ""): 1,
    (DCR, "sites_active", "dcr"): 1,
    (OUT, "sites_active", ""): 1,
    (OUT, "sites_active", "outreach"): 1,
    (NSP, "sites_active", ""): 1,
    (NSP, "sites_active", "pharmacy"): 1,
    (ALL, "sites_active", ""): 3,
    (ALL, "sites_active", "dcr"): 1,
    (ALL, "sites_active", "outreach"): 1,
    (ALL, "sites_active", "pharmacy"): 1,
}


# Every non-zero value of September 2025 (S1 ANNA at DCR, S2 voided, S3 anonymous at NSP,
# S4 anonymous at DCR at 23:30 CEST on 30 September).
SEPTEMBER = {
    (DCR, "contacts", ""): 2,  # S1, S4
    (NSP, "contacts", ""): 1,  # S3
    (ALL, "contacts", ""): 3,
    (DCR, "contacts", "dcr_visit"): 2,
    (ALL, "contacts", "dcr_visit"): 2,
    (NSP, "contacts", "nsp_exchange"): 1,
    (ALL, "contacts", "nsp_exchange"): 1,
    (DCR, "people_contacted", ""): 2,
    (NSP, "people_contacted", ""): 1,
    (ALL, "people_contacted", ""): 3,
    (DCR, "anonymous_contacts", ""): 1,  # S4
    (NSP, "anonymous_contacts", ""): 1,  # S3
    (ALL, "anonymous_contacts", ""): 2,
    (DCR, "unique_clients", ""): 1,  # ANNA; BERT's only contact is voided
    (ALL, "unique_clients", ""): 1,
    (DCR, "new_clients", ""): 1,  # ANNA's first contact ever
    (ALL, "new_clients", ""): 1,
    (DCR, "contacts_by_flag", "injects"): 1,
    (ALL, "contacts_by_flag", "injects"): 1,
    (DCR, "unique_clients_by_flag", "injects"): 1,
    (ALL, "unique_clients_by_flag", "injects"): 1,
    (DCR, "contacts_by_gender", "f"): 1,
    (ALL, "contacts_by_gender", "f"): 1,
    (DCR, "contacts_by_gender", "unknown"): 1,
    (NSP, "contacts_by_gender", "unknown"): 1,
    (ALL, "contacts_by_gender", "unknown"): 2,
    (DCR, "unique_clients_by_gender", "f"): 1,
    (ALL, "unique_clients_by_gender", "f"): 1,
    (DCR, "contacts_by_age_group", "35_44"): 1,  # 2025 - 1990 = 35
    (ALL, "contacts_by_age_group", "35_44"): 1,
    (DCR, "contacts_by_age_group", "unknown"): 1,
    (NSP, "contacts_by_age_group", "unknown"): 1,
    (ALL, "contacts_by_age_group", "unknown"): 2,
    (DCR, "unique_clients_by_age_group", "35_44"): 1,
    (ALL, "unique_clients_by_age_group", "35_44"): 1,
    (DCR, "items_distributed", ""): 10,
    (DCR, "items_distributed", "syringe_1ml"): 10,
    (NSP, "items_distributed", ""): 5,
    (NSP, "items_distributed", "syringe_2ml"): 5,
    (ALL, "items_distributed", ""): 15,  # 10 + 5
    (ALL, "items_distributed", "syringe_1ml"): 10,
    (ALL, "items_distributed", "syringe_2ml"): 5,
    (DCR, "syringes_distributed", ""): 10,
    (NSP, "syringes_distributed", ""): 5,
    (ALL, "syringes_distributed", ""): 15,
    (DCR, "syringes_returned", ""): 8,
    (DCR, "syringes_returned", "counted"): 8,
    (ALL, "syringes_returned", ""): 8,
    (ALL, "syringes_returned", "counted"): 8,
    (DCR, "return_rate", ""): 0.8,  # 8 / 10; NSP 0 / 5 = 0.0 (a zero, not listed)
    (ALL, "return_rate", ""): 0.533,  # 8 / 15 = 0.5333
    (DCR, "referrals_made", ""): 1,
    (DCR, "referrals_made", "hbv_test"): 1,
    (ALL, "referrals_made", ""): 1,
    (ALL, "referrals_made", "hbv_test"): 1,
    (DCR, "dcr_visits", ""): 2,
    (DCR, "dcr_visits", "inject"): 2,
    (ALL, "dcr_visits", ""): 2,
    (ALL, "dcr_visits", "inject"): 2,
    (DCR, "sites_active", ""): 1,
    (DCR, "sites_active", "dcr"): 1,
    (NSP, "sites_active", ""): 1,
    (NSP, "sites_active", "pharmacy"): 1,
    (ALL, "sites_active", ""): 2,  # OUT's only contact is voided
    (ALL, "sites_active", "dcr"): 1,
    (ALL, "sites_active", "pharmacy"): 1,
}

# Every non-zero value of November 2025 (N1 ANNA at DCR at 00:30 CET on 1 November, N2 BERT at
# OUT; incidents I5 at NSP, I6 at DCR at 00:15 CET on 1 November).
NOVEMBER = {
    (DCR, "contacts", ""): 1,
    (OUT, "contacts", ""): 1,
    (ALL, "contacts", ""): 2,
    (DCR, "contacts", "dcr_visit"): 1,
    (ALL, "contacts", "dcr_visit"): 1,
    (OUT, "contacts", "street_outreach"): 1,
    (ALL, "contacts", "street_outreach"): 1,
    (DCR, "people_contacted", ""): 1,
    (OUT, "people_contacted", ""): 1,
    (ALL, "people_contacted", ""): 2,
    (DCR, "unique_clients", ""): 1,
    (OUT, "unique_clients", ""): 1,
    (ALL, "unique_clients", ""): 2,
    # new_clients: none; ANNA was new in September, BERT in October
    (DCR, "contacts_by_flag", "injects"): 1,
    (OUT, "contacts_by_flag", "injects"): 1,
    (ALL, "contacts_by_flag", "injects"): 2,
    (DCR, "unique_clients_by_flag", "injects"): 1,
    (OUT, "unique_clients_by_flag", "injects"): 1,
    (ALL, "unique_clients_by_flag", "injects"): 2,
    (DCR, "contacts_by_gender", "f"): 1,
    (ALL, "contacts_by_gender", "f"): 1,
    (OUT, "contacts_by_gender", "m"): 1,
    (ALL, "contacts_by_gender", "m"): 1,
    (DCR, "unique_clients_by_gender", "f"): 1,
    (ALL, "unique_clients_by_gender", "f"): 1,
    (OUT, "unique_clients_by_gender", "m"): 1,
    (ALL, "unique_clients_by_gender", "m"): 1,
    (DCR, "contacts_by_age_group", "35_44"): 1,
    (ALL, "contacts_by_age_group", "35_44"): 1,
    (OUT, "contacts_by_age_group", "under_25"): 1,  # 2025 - 2001 = 24
    (ALL, "contacts_by_age_group", "under_25"): 1,
    (DCR, "unique_clients_by_age_group", "35_44"): 1,
    (ALL, "unique_clients_by_age_group", "35_44"): 1,
    (OUT, "unique_clients_by_age_group", "under_25"): 1,
    (ALL, "unique_clients_by_age_group", "under_25"): 1,
    (DCR, "items_distributed", ""): 10,
    (DCR, "items_distributed", "syringe_1ml"): 10,
    (ALL, "items_distributed", ""): 10,
    (ALL, "items_distributed", "syringe_1ml"): 10,
    (DCR, "syringes_distributed", ""): 10,
    (ALL, "syringes_distributed", ""): 10,
    (OUT, "syringes_returned", ""): 5,
    (OUT, "syringes_returned", "counted"): 5,
    (ALL, "syringes_returned", ""): 5,
    (ALL, "syringes_returned", "counted"): 5,
    # DCR 0 / 10 = 0.0; OUT none went out: no rate
    (ALL, "return_rate", ""): 0.5,  # 5 / 10
    (OUT, "referrals_made", ""): 1,
    (OUT, "referrals_made", "ost"): 1,
    (ALL, "referrals_made", ""): 1,
    (ALL, "referrals_made", "ost"): 1,
    (OUT, "referrals_attended", ""): 1,
    (OUT, "referrals_attended", "ost"): 1,
    (ALL, "referrals_attended", ""): 1,
    (ALL, "referrals_attended", "ost"): 1,
    (DCR, "dcr_visits", ""): 1,
    (DCR, "dcr_visits", "inject"): 1,
    (ALL, "dcr_visits", ""): 1,
    (ALL, "dcr_visits", "inject"): 1,
    (DCR, "incidents", ""): 1,  # I6
    (DCR, "incidents", "opioid_overdose"): 1,
    (NSP, "incidents", ""): 1,  # I5
    (NSP, "incidents", "other_medical"): 1,
    (ALL, "incidents", ""): 2,
    (ALL, "incidents", "opioid_overdose"): 1,
    (ALL, "incidents", "other_medical"): 1,
    (DCR, "incidents_by_outcome", "recovered_on_site"): 1,
    (NSP, "incidents_by_outcome", "unknown"): 1,
    (ALL, "incidents_by_outcome", "recovered_on_site"): 1,
    (ALL, "incidents_by_outcome", "unknown"): 1,
    (DCR, "naloxone_doses_administered", ""): 1,
    (ALL, "naloxone_doses_administered", ""): 1,
    (DCR, "sites_active", ""): 1,
    (DCR, "sites_active", "dcr"): 1,
    (OUT, "sites_active", ""): 1,
    (OUT, "sites_active", "outreach"): 1,
    (ALL, "sites_active", ""): 2,  # NSP had an incident but no contact
    (ALL, "sites_active", "dcr"): 1,
    (ALL, "sites_active", "outreach"): 1,
}
EXPECTED = {"2025-09": SEPTEMBER, "2025-10": OCTOBER, "2025-11": NOVEMBER}


def utc(text: str) -> datetime:
    """An ISO time without offset (e.g. "2025-10-31T22:30"), read as UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class Builder:
    """Inserts records with the ORM, bypassing the API's rules (the 90-day limit)."""

    def __init__(self):
        self.sites = {site.code: site for site in db.session.execute(select(Site)).scalars()}
        self.items = {
            item.code: item for item in db.session.execute(select(EquipmentItem)).scalars()
        }
        self.types = {
            kind.code: kind for kind in db.session.execute(select(ReferralType)).scalars()
        }
        self.clients: dict[str, Client] = {}
        self._keys = itertools.count()

    def user(self, username: str) -> User:
        return db.session.execute(select(User).where(User.username == username)).scalar_one()

    def client(self, alias: str, gender=None, birth_year=None) -> Client:
        client = Client(
            key=f"key-{alias}",
            alias=alias,
            gender=gender,
            birth_year=birth_year,
            first_seen_at=utc("2025-01-01T00:00"),
        )
        db.session.add(client)
        self.clients[alias] = client
        return client

    def contact(
        self,
        when,
        site,
        kind,
        *,
        by,
        client=None,
        people=1,
        flags=(),
        route=None,
        items=None,
        returned=None,
        estimated=False,
        trained=False,
        reversals=0,
        referrals=(),
        voided=False,
        corrected=0,
    ) -> Contact:
        """`referrals`: (type code, status, referred_to). Gender and birth year are the
        client's, as the sync records them."""
        occurred_at = utc(when) if isinstance(when, str) else when
        person = self.clients[client] if client else None
        contact = Contact(
            id=uuid.uuid4(),
            occurred_at=occurred_at,
            received_at=occurred_at,
            content_hash=f"hash-{next(self._keys)}",
            site=self.sites[site],
            recorded_by=by,
            kind=kind,
            client=person,
            people_count=people,
            gender=person.gender if person else None,
            birth_year=person.birth_year if person else None,
            route=route,
            returned_syringes=returned,
            returned_estimated=estimated,
            naloxone_trained=trained,
            overdose_reversals=reversals,
            clock_correction_seconds=corrected,
            **{flag: True for flag in flags},
        )
        if voided:
            contact.voided_at = occurred_at
            contact.void_reason = "entered twice"
        for code, quantity in (items or {}).items():
            contact.items.append(ContactItem(item=self.items[code], quantity=quantity))
        for code, status, referred_to in referrals:
            contact.referrals.append(
                Referral(
                    id=uuid.uuid4(),
                    type=self.types[code],
                    referred_to=referred_to,
                    status=status,
                    status_changed_at=occurred_at,
                )
            )
        db.session.add(contact)
        return contact

    def incident(
        self, when, site, kind, outcome, doses, *, by, voided=False, corrected=0
    ) -> Incident:
        occurred_at = utc(when)
        incident = Incident(
            id=uuid.uuid4(),
            occurred_at=occurred_at,
            received_at=occurred_at,
            content_hash=f"hash-{next(self._keys)}",
            site=self.sites[site],
            recorded_by=by,
            kind=kind,
            outcome=outcome,
            naloxone_doses=doses,
            clock_correction_seconds=corrected,
        )
        if voided:
            incident.voided_at = occurred_at
            incident.void_reason = "entered twice"
        db.session.add(incident)
        return incident


@pytest.fixture
def build(app):
    """`with build() as b:` a Builder inside an app context; committed at the end, with the
    reports' roll-ups rebuilt (the rows go in directly, not through the services)."""

    @contextmanager
    def builder():
        with app.test_request_context():
            b = Builder()
            yield b
            db.session.flush()
            rollups.rebuild()
            db.session.commit()

    return builder


@pytest.fixture
def dataset(app, make_user, build):
    """The data set of the module docstring. Returns the two workers' usernames."""
    make_user("worker", SITES, username="dcr-worker")
    make_user("worker", SITES, username="street-worker")
    with build() as b:
        dcr_worker, street_worker = b.user("dcr-worker"), b.user("street-worker")
        b.client("ANNA", "f", 1990)
        b.client("BERT", "m", 2001)
        b.client("CLEO", "x", 1970)
        b.client("DIRK", "m", 2000)
        b.client("EVA", "f", 1980)
        b.client("NOOR")
        # September
        b.contact(
            "2025-09-10T10:00",
            DCR,
            "dcr_visit",
            by=dcr_worker,
            client="ANNA",
            flags=["injects"],
            route="inject",
            items={"syringe_1ml": 10},
            returned=8,
            referrals=[("hbv_test", "made", "ORG-S1")],
        )
        b.contact(
            "2025-09-15T10:00",
            OUT,
            "street_outreach",
            by=street_worker,
            client="BERT",
            flags=["injects"],
            items={"syringe_1ml": 10},
            voided=True,
        )
        b.contact(
            "2025-09-20T10:00", NSP, "nsp_exchange", by=street_worker, items={"syringe_2ml": 5}
        )
        b.contact("2025-09-30T21:30", DCR, "dcr_visit", by=dcr_worker, route="inject")
        # October
        b.contact(
            "2025-10-01T08:00",
            DCR,
            "dcr_visit",
            by=dcr_worker,
            client="ANNA",
            flags=["injects", "homeless"],
            route="inject",
            items={"syringe_1ml": 20, "naloxone_kit": 1},
            returned=15,
            trained=True,
            referrals=[("hcv_test", "attended", "ORG-K1")],
        )
        b.contact(
            "2025-10-26T00:30",
            DCR,
            "dcr_visit",
            by=dcr_worker,
            client="ANNA",
            flags=["smokes"],
            route="smoke",
        )
        b.contact("2025-10-26T01:30", DCR, "dcr_visit", by=dcr_worker)
        b.contact(
            "2025-10-05T12:00",
            OUT,
            "street_outreach",
            by=street_worker,
            client="BERT",
            flags=["injects"],
            items={"syringe_1ml": 10, "syringe_2ml": 10},
            returned=30,
            estimated=True,
            referrals=[("ost", "made", "ORG-K4-OST"), ("hiv_test", "not_attended", "ORG-K4-HIV")],
        )
        b.contact(
            "2025-10-12T18:00",
            OUT,
            "street_outreach",
            by=street_worker,
            people=3,
            flags=["smokes", "homeless"],
            items={"naloxone_kit": 2, "condom": 10},
            trained=True,
            corrected=-1200,
        )
        b.contact(
            "2025-10-31T22:30",
            OUT,
            "street_outreach",
            by=street_worker,
            client="CLEO",
            flags=["sex_work"],
            items={"syringe_1ml": 5},
            returned=4,
            reversals=1,
        )
        b.contact(
            "2025-10-15T09:00",
            NSP,
            "nsp_exchange",
            by=street_worker,
            client="DIRK",
            flags=["injects", "foreign_national"],
            items={"syringe_2ml": 45},
            returned=25,
            referrals=[("hcv_test", "declined", "ORG-K7")],
        )
        b.contact(
            "2025-10-20T09:00",
            NSP,
            "pharmacy",
            by=street_worker,
            client="EVA",
            flags=["injects"],
            items={"syringe_1ml": 10},
            returned=12,
            estimated=True,
            referrals=[("housing", "made", "ORG-K8")],
        )
        b.contact("2025-10-21T09:00", NSP, "nsp_exchange", by=street_worker, client="NOOR")
        b.contact(
            "2025-10-10T10:00",
            DCR,
            "dcr_visit",
            by=dcr_worker,
            client="DIRK",
            flags=["injects"],
            route="inject",
            items={"syringe_1ml": 100, "naloxone_kit": 5},
            returned=50,
            trained=True,
            referrals=[("gp", "made", "ORG-K10-VOIDED")],
            voided=True,
            corrected=-600,
        )
        # November
        b.contact(
            "2025-10-31T23:30",
            DCR,
            "dcr_visit",
            by=dcr_worker,
            client="ANNA",
            flags=["injects"],
            route="inject",
            items={"syringe_1ml": 10},
        )
        b.contact(
            "2025-11-10T10:00",
            OUT,
            "street_outreach",
            by=street_worker,
            client="BERT",
            flags=["injects"],
            returned=5,
            referrals=[("ost", "attended", "ORG-N2")],
        )
        # Incidents
        b.incident(
            "2025-10-03T20:00", DCR, "opioid_overdose", "recovered_on_site", 2, by=dcr_worker
        )
        b.incident("2025-10-18T21:00", DCR, "opioid_overdose", "hospital", 1, by=dcr_worker)
        b.incident(
            "2025-10-22T14:00",
            OUT,
            "stimulant_overdose",
            "hospital",
            0,
            by=street_worker,
            corrected=3600,
        )
        b.incident(
            "2025-10-25T10:00", DCR, "opioid_overdose", "death", 3, by=dcr_worker, voided=True
        )
        b.incident("2025-11-02T10:00", NSP, "other_medical", "unknown", 0, by=street_worker)
        b.incident(
            "2025-10-31T23:15", DCR, "opioid_overdose", "recovered_on_site", 1, by=dcr_worker
        )
    return {"dcr_worker": "dcr-worker", "street_worker": "street-worker"}


@pytest.fixture
def supervisor(login_as):
    """A supervisor of all three sites, signed in: their reports are the data set's totals."""
    return login_as("supervisor", sites=SITES)


@pytest.fixture
def admin(login_as):
    return login_as("admin", sites=())


def flatten(values: dict) -> dict:
    """The API's values[site][indicator][breakdown] as {(site, indicator, breakdown): value}."""
    return {
        (site, indicator, breakdown): value
        for site, by_indicator in values.items()
        for indicator, by_breakdown in by_indicator.items()
        for breakdown, value in by_breakdown.items()
    }


def non_zero(cells: dict) -> dict:
    return {key: value for key, value in cells.items() if value not in (0, "", None)}
