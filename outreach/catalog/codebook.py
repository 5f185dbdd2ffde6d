"""The catalog loaded once per request, to resolve the codes of many records."""

from dataclasses import dataclass, field
from functools import cached_property

from flask_babel import gettext as _
from sqlalchemy import select

from outreach.catalog.models import EquipmentItem, ReferralType, Site
from outreach.errors import InvalidInput
from outreach.extensions import db


@dataclass
class Codebook:
    """Sites, items and referral types by code: active or retired, since old records (and
    records still waiting on a phone) keep naming retired ones."""

    sites: dict[str, Site] = field(default_factory=dict)
    equipment: dict[str, EquipmentItem] = field(default_factory=dict)
    referral_types: dict[str, ReferralType] = field(default_factory=dict)

    @cached_property
    def item_codes(self) -> dict[int, str]:
        return {item.id: code for code, item in self.equipment.items()}

    @cached_property
    def type_codes(self) -> dict[int, str]:
        return {referral_type.id: code for code, referral_type in self.referral_types.items()}

    def site_errors(self, user, code, field: str = "site") -> dict:
        """A field message if `code` is not a site, or not one where `user` may record
        (an admin may record anywhere); none for no code."""
        if code is None:
            return {}
        site = self.sites.get(code)
        if site is None:
            return {field: [_("Unknown site.")]}
        if not user.is_admin and site not in user.sites:
            return {field: [_("You do not work at this site.")]}
        return {}

    def site_for(self, user, code: str) -> Site:
        """The site of this code if the user may record there; InvalidInput otherwise."""
        errors = self.site_errors(user, code)
        if errors:
            raise InvalidInput(errors=errors)
        return self.sites[code]


def load_codebook() -> Codebook:
    return Codebook(
        sites={site.code: site for site in db.session.execute(select(Site)).scalars()},
        equipment={item.code: item for item in db.session.execute(select(EquipmentItem)).scalars()},
        referral_types={
            referral_type.code: referral_type
            for referral_type in db.session.execute(select(ReferralType)).scalars()
        },
    )
