"""Fixed code lists of the domain model (DESIGN §2), with their translatable labels.

Codes are the contract (API, exports); labels are for people and follow the user's language.
"""

from flask_babel import lazy_gettext as _l

SITE_KINDS = {
    "outreach": _l("Street outreach"),
    "dcr": _l("Drug consumption room"),
    "low_threshold": _l("Low-threshold facility"),
    "pharmacy": _l("Pharmacy"),
    "police_station": _l("Police station"),
    "treatment_centre": _l("Treatment centre"),
    "mobile_van": _l("Mobile van"),
    "vending_machine": _l("Syringe vending machine"),
    "other": _l("Other"),
}

# The kinds of provision point (outlet) of the EMCDDA's table on syringe availability (ST10),
# and the one each kind of site counts as.
OUTLET_TYPES = {
    "specialised": _l("Specialised programme"),
    "pharmacy": _l("Pharmacy"),
    "vending_machine": _l("Syringe vending machine"),
    "other": _l("Other"),
}
OUTLET_TYPE_OF_SITE_KIND = {
    "outreach": "specialised",
    "dcr": "specialised",
    "low_threshold": "specialised",
    "treatment_centre": "specialised",
    "mobile_van": "specialised",
    "pharmacy": "pharmacy",
    "vending_machine": "vending_machine",
    "police_station": "other",
    "other": "other",
}


def outlet_type(kind: str) -> str:
    """The outlet type (ST10) a kind of site counts as."""
    return OUTLET_TYPE_OF_SITE_KIND[kind]


CONTACT_KINDS = {
    "street_outreach": _l("Street outreach"),
    "drop_in": _l("Drop-in"),
    "dcr_visit": _l("DCR visit"),
    "nsp_exchange": _l("Needle exchange"),
    "pharmacy": _l("Pharmacy"),
    "phone": _l("Phone"),
    "other": _l("Other"),
}

FLAGS = {
    "injects": _l("Injects"),
    "smokes": _l("Smokes"),
    "sex_work": _l("Sex work"),
    "homeless": _l("Homeless"),
    "foreign_national": _l("Foreign national"),
}

SUBSTANCES = {
    "heroin": _l("Heroin"),
    "methadone": _l("Methadone (not prescribed)"),
    "other_opioids": _l("Other opioids"),
    "cocaine": _l("Cocaine"),
    "crack": _l("Crack"),
    "amphetamine": _l("Amphetamine"),
    "methamphetamine": _l("Methamphetamine"),
    "ketamine": _l("Ketamine"),
    "ghb": _l("GHB"),
    "benzodiazepines": _l("Benzodiazepines"),
    "new_psychoactive": _l("New psychoactive substances"),
    "cannabis": _l("Cannabis"),
    "alcohol": _l("Alcohol"),
    "other": _l("Other"),
}

ROUTES = {
    "inject": _l("Inject"),
    "smoke": _l("Smoke"),
    "inhale": _l("Inhale"),
    "snort": _l("Snort"),
    "oral": _l("Oral"),
}

GENDERS = {
    "f": _l("Woman"),
    "m": _l("Man"),
    "x": _l("Non-binary or other"),
}

NALOXONE_REFILL_REASONS = {
    "first_kit": _l("First kit"),
    "used_on_overdose": _l("Used on an overdose"),
    "lost": _l("Lost"),
    "confiscated": _l("Confiscated"),
    "expired": _l("Expired"),
    "other": _l("Other"),
}

INCIDENT_KINDS = {
    "opioid_overdose": _l("Opioid overdose"),
    "stimulant_overdose": _l("Stimulant overdose"),
    "other_medical": _l("Other medical emergency"),
}

INCIDENT_OUTCOMES = {
    "recovered_on_site": _l("Recovered on site"),
    "hospital": _l("Taken to hospital"),
    "death": _l("Death"),
    "unknown": _l("Unknown"),
}

REFERRAL_STATUSES = {
    "made": _l("Made"),
    "attended": _l("Attended"),
    "not_attended": _l("Not attended"),
    "declined": _l("Declined"),
    "unknown": _l("Unknown"),
}
# A follow-up moves a referral from "made" to one of these.
REFERRAL_OUTCOMES = tuple(code for code in REFERRAL_STATUSES if code != "made")

EQUIPMENT_CATEGORIES = {
    "injecting": _l("Injecting"),
    "smoking": _l("Smoking"),
    "naloxone": _l("Naloxone"),
    "sexual_health": _l("Sexual health"),
    "other": _l("Other"),
}

ROLES = {
    "worker": _l("Worker"),
    "supervisor": _l("Supervisor"),
    "admin": _l("Administrator"),
}


def choices(vocabulary: dict) -> list[dict]:
    """The vocabulary as `[{"code", "label"}]` in the current language."""
    return [{"code": code, "label": str(label)} for code, label in vocabulary.items()]


def check_in(column: str, vocabulary) -> str:
    """SQL for a CHECK constraint that keeps `column` within a vocabulary's codes."""
    codes = ", ".join(f"'{code}'" for code in vocabulary)
    return f"{column} IN ({codes})"
