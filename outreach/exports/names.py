"""The names of the codes an export holds, in the reader's language, for the workbook: each
indicator's label, and each breakdown's name (from the catalog for items and referral types,
from the fixed code lists of `catalog/vocabulary.py` for the rest, as the dashboard shows them)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from outreach.catalog import vocabulary
from outreach.catalog.models import EquipmentItem, ReferralType
from outreach.extensions import db
from outreach.reports.indicators import BY_NAME

# What the reports count when a contact did not record it (see reports/rollups.py).
NOT_RECORDED = {"unknown": _l("Not recorded")}
AGE_GROUPS = {
    "under_25": _l("Under 25"),
    "25_34": "25\N{EN DASH}34",
    "35_44": "35\N{EN DASH}44",
    "45_54": "45\N{EN DASH}54",
    "55_plus": _l("55 and over"),
    **NOT_RECORDED,
}
RETURN_METHODS = {"counted": _l("Counted"), "estimated": _l("Estimated from a sharps container")}
# An indicator's kind of breakdown (Indicator.breakdown) -> its codes' names.
VOCABULARIES = {
    "kind": vocabulary.CONTACT_KINDS,
    "flag": vocabulary.FLAGS,
    "gender": {**vocabulary.GENDERS, **NOT_RECORDED},
    "age_group": AGE_GROUPS,
    "method": RETURN_METHODS,
    "route": {**vocabulary.ROUTES, **NOT_RECORDED},
    "incident_kind": vocabulary.INCIDENT_KINDS,
    "outcome": vocabulary.INCIDENT_OUTCOMES,
    "site_kind": vocabulary.SITE_KINDS,
    "outlet_type": vocabulary.OUTLET_TYPES,
}


class Names:
    """Site, indicator and breakdown names in one language, loaded once for a whole export."""

    def __init__(self, language: str):
        self.language = language
        catalog = {
            kind: {entry.code: entry.name(language) for entry in db.session.scalars(select(model))}
            for kind, model in (("item", EquipmentItem), ("referral_type", ReferralType))
        }
        self.breakdowns = {
            **{
                kind: {code: str(label) for code, label in codes.items()}
                for kind, codes in VOCABULARIES.items()
            },
            **catalog,
        }
        self.indicators = {name: str(indicator.label) for name, indicator in BY_NAME.items()}

    def site(self, site) -> str:
        return site.name(self.language)

    def indicator(self, name: str) -> str:
        return self.indicators[name]

    def breakdown(self, indicator: str, code: str) -> str:
        """The breakdown's name; the code itself where it has none (a code the catalog lost)."""
        if not code:
            return ""
        return self.breakdowns.get(BY_NAME[indicator].breakdown, {}).get(code, code)
