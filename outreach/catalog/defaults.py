"""The default catalog: the equipment items and referral types an organisation starts with
(`flask seed-catalog`), which an admin then changes, retires or adds to at /admin."""

from sqlalchemy import select

from outreach.audit.service import record_event
from outreach.catalog.models import EquipmentItem, ReferralType
from outreach.extensions import db

# code, English, Dutch, category, unit in English and in Dutch (docs/glossary-nl.md), counts
# as syringe
DEFAULT_EQUIPMENT = [
    ("syringe_1ml", "Syringe 1 ml", "Spuit 1 ml", "injecting", "piece", "stuk", True),
    ("syringe_2ml", "Syringe 2 ml", "Spuit 2 ml", "injecting", "piece", "stuk", True),
    ("needle", "Needle", "Naald", "injecting", "piece", "stuk", False),
    ("swab", "Alcohol swab", "Alcoholdoekje", "injecting", "piece", "stuk", False),
    ("water_ampoule", "Water ampoule", "Waterampul", "injecting", "piece", "stuk", False),
    ("cooker", "Cooker", "Kookpannetje", "injecting", "piece", "stuk", False),
    ("filter", "Filter", "Filter", "injecting", "piece", "stuk", False),
    ("foil", "Foil", "Folie", "smoking", "sheet", "vel", False),
    ("crack_pipe", "Crack pipe", "Basepijp", "smoking", "piece", "stuk", False),
    ("naloxone_kit", "Naloxone kit", "Naloxonkit", "naloxone", "kit", "set", False),
    ("condom", "Condom", "Condoom", "sexual_health", "piece", "stuk", False),
    ("sharps_bin", "Sharps bin", "Naaldencontainer", "other", "piece", "stuk", False),
]

DEFAULT_REFERRAL_TYPES = [
    ("hbv_test", "HBV test", "HBV-test"),
    ("hcv_test", "HCV test", "HCV-test"),
    ("hiv_test", "HIV test", "Hiv-test"),
    ("hbv_vaccination", "HBV vaccination", "HBV-vaccinatie"),
    ("hcv_treatment", "HCV treatment", "HCV-behandeling"),
    ("ost", "Opioid substitution treatment", "Opioïdsubstitutiebehandeling"),
    ("drug_treatment", "Drug treatment", "Verslavingszorg"),
    ("mental_health", "Mental health care", "Ggz"),
    ("housing", "Housing", "Huisvesting"),
    ("gp", "GP", "Huisarts"),
    ("social_care", "Social care", "Maatschappelijk werk"),
]


def seed_catalog() -> None:
    """Add the default equipment and referral types that are not there yet (audited)."""
    added = []
    have = set(db.session.execute(select(EquipmentItem.code)).scalars())
    for order, row in enumerate(DEFAULT_EQUIPMENT):
        code, name_en, name_nl, category, unit_en, unit_nl, syringe = row
        if code not in have:
            added.append(code)
            db.session.add(
                EquipmentItem(
                    code=code,
                    name_en=name_en,
                    name_nl=name_nl,
                    category=category,
                    unit_en=unit_en,
                    unit_nl=unit_nl,
                    counts_as_syringe=syringe,
                    sort_order=order,
                )
            )
    have = set(db.session.execute(select(ReferralType.code)).scalars())
    for order, (code, name_en, name_nl) in enumerate(DEFAULT_REFERRAL_TYPES):
        if code not in have:
            added.append(code)
            db.session.add(
                ReferralType(code=code, name_en=name_en, name_nl=name_nl, sort_order=order)
            )
    db.session.flush()
    if added:
        record_event("catalog_changed", detail=f"added defaults: {', '.join(added)}")
