"""The values of the hand-worked data set (tests/reports/hand_worked.py), worked out by hand from
the table in its docstring, and the helpers that compare reports and exports with them."""

from tests.reports.hand_worked import ALL, DCR, NSP, OUT

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
    "stock_received",
    "stock_transferred_in",
    "stock_transferred_out",
    "stock_handed_out",
    "stock_adjusted",
    "stock_disposed",
    "stock_closing",
)
# Supply counts: never suppressed. Everything else counts people.
SUPPLY = {
    "items_distributed",
    "syringes_distributed",
    "syringes_returned",
    "return_rate",
    "naloxone_kits_distributed",
    "sites_active",
    "stock_received",
    "stock_transferred_in",
    "stock_transferred_out",
    "stock_handed_out",
    "stock_adjusted",
    "stock_disposed",
    "stock_closing",
}

# Every non-zero value of October 2025: (site, indicator, breakdown) -> value. What is not here
# is zero. Worked out by hand from the table in hand_worked.py's docstring.
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
