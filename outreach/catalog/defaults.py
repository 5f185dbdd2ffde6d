"""The default catalog: the equipment items and referral types an organisation starts with
(`flask seed-catalog`), which an admin then changes, retires or adds to at /admin."""

from sqlalchemy import select

from outreach.audit.service import record_event
from outreach.catalog.models import EquipmentItem, ReferralType
from outreach.extensions import db

# code, English, Dutch, category, unit, counts as syringe
DEFAULT_EQUIPMENT = [
    ("syringe_1ml", "Syringe 1 ml", "Spuit 1 ml", "injecting", "piece", True),
    ("syringe_2ml", "Syringe 2 ml", "Spuit 2 ml", "injecting", "piece", True),
    ("needle", "Needle", "Naald", "injecting", "piece", False),
    ("swab", "Alcohol swab", "Alcoholdoekje", "injecting", "piece", False),
    ("water_ampoule", "Water ampoule", "Waterampul", "injecting", "piece", False),
    ("cooker", "Cooker", "Kookpannetje", "injecting", "piece", False),
    ("filter", "Filter", "Filter", "injecting", "piece", False),
    ("foil", "Foil", "Folie", "smoking", "sheet", False),
    ("crack_pipe", "Crack pipe", "Basepijp", "smoking", "piece", False),
    ("naloxone_kit", "Naloxone kit", "Naloxonkit", "naloxone", "kit", False),
    ("condom", "Condom", "Condoom", "sexual_health", "piece", False),
    ("sharps_bin", "Sharps bin", "Naaldencontainer", "other", "piece", False),
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
    for order, (code, name_en, name_nl, category, unit, syringe) in enumerate(DEFAULT_EQUIPMENT):
        if code not in have:
            added.append(code)
            db.session.add(
                EquipmentItem(
                    code=code,
                    name_en=name_en,
                    name_nl=name_nl,
                    category=category,
                    unit=unit,
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
