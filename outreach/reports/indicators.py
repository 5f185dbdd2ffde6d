"""The indicators of DESIGN §7: names (the export contract), labels, definitions, and which are
counts of people (suppressed in exports for outside use) and which are supply counts (exact)."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

ALL_SITES = "ALL"


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str
    definition: str
    people: bool = True  # a count of people (or of events that involve people): suppressible
    breakdown: str = ""  # what the breakdown codes of this indicator are, if any
    additive: bool = True  # sites' values add up to the total (not so for distinct people)
    emcdda: str = ""  # the EMCDDA table and figure this indicator feeds, if any


# The figures of the EMCDDA's standard table on syringe availability this report feeds.
ST10_SYRINGES = _l(
    "ST10 (syringe availability): syringes provided through specialised programmes, "
    "pharmacies and vending machines."
)

INDICATORS = [
    Indicator(
        "contacts",
        _l("Contacts"),
        _l("Contact records, voided ones excluded."),
        breakdown="kind",
        emcdda=_l("ST10 (syringe availability): client contacts."),
    ),
    Indicator(
        "people_contacted",
        _l("People contacted"),
        _l("Sum of people counted at each contact: a group contact counts several."),
    ),
    Indicator(
        "anonymous_contacts", _l("Anonymous contacts"), _l("Contacts without a client code.")
    ),
    Indicator(
        "unique_clients",
        _l("Unique clients"),
        _l(
            "Distinct clients (by pseudonym) with at least one contact in the month (or year): a "
            "client seen in several months of a year counts once."
        ),
        additive=False,
        emcdda=_l("ST10 (syringe availability): individual clients."),
    ),
    Indicator(
        "new_clients",
        _l("New clients"),
        _l("Clients whose first contact ever (at any site) falls in the month (or year)."),
        additive=False,
    ),
    Indicator(
        "contacts_by_flag",
        _l("Contacts by target group"),
        _l("Contacts where the target group was ticked; one contact can have several."),
        breakdown="flag",
    ),
    Indicator(
        "unique_clients_by_flag",
        _l("Unique clients by target group"),
        _l("Distinct clients with at least one contact in the target group."),
        breakdown="flag",
        additive=False,
    ),
    Indicator(
        "contacts_by_gender",
        _l("Contacts by gender"),
        _l("Contacts by the gender recorded at the contact (unknown if not recorded)."),
        breakdown="gender",
    ),
    Indicator(
        "unique_clients_by_gender",
        _l("Unique clients by gender"),
        _l("Distinct clients by their recorded gender."),
        breakdown="gender",
        additive=False,
    ),
    Indicator(
        "contacts_by_age_group",
        _l("Contacts by age group"),
        _l("Contacts by age in the report's year, from the birth year recorded."),
        breakdown="age_group",
    ),
    Indicator(
        "unique_clients_by_age_group",
        _l("Unique clients by age group"),
        _l("Distinct clients by age in the report's year."),
        breakdown="age_group",
        additive=False,
    ),
    Indicator(
        "items_distributed",
        _l("Items distributed"),
        _l(
            "Equipment handed out, by item: at contacts, and in bulk by outlets that log no "
            "contacts."
        ),
        people=False,
        breakdown="item",
    ),
    Indicator(
        "syringes_distributed",
        _l("Syringes distributed"),
        _l("Items that count as syringes, handed out."),
        people=False,
        emcdda=ST10_SYRINGES,
    ),
    Indicator(
        "syringes_distributed_by_outlet",
        _l("Syringes distributed by type of outlet"),
        _l(
            "Syringes distributed, by the type of outlet the site is: specialised programme "
            "(drug consumption room, low-threshold facility, street outreach, mobile van, "
            "treatment centre), pharmacy, vending machine, or other (police station, other). "
            "The site's present kind counts for the whole period."
        ),
        people=False,
        breakdown="outlet_type",
        emcdda=ST10_SYRINGES,
    ),
    Indicator(
        "outlets_active",
        _l("Active outlets"),
        _l("Sites that handed out at least one syringe in the period, by type of outlet."),
        people=False,
        breakdown="outlet_type",
        emcdda=_l("ST10 (syringe availability): number of outlets, by type."),
    ),
    Indicator(
        "syringes_returned",
        _l("Syringes returned"),
        _l("Used syringes taken back: counted, and estimated from sharps containers."),
        people=False,
        breakdown="method",
    ),
    Indicator(
        "return_rate",
        _l("Return rate"),
        _l("Syringes returned divided by syringes distributed (empty when none went out)."),
        people=False,
        additive=False,
    ),
    Indicator(
        "naloxone_kits_distributed",
        _l("Naloxone kits distributed"),
        _l("Items of the naloxone category handed out."),
        people=False,
    ),
    Indicator(
        "people_trained_naloxone",
        _l("People trained in naloxone"),
        _l("Contacts at which the person was trained to use naloxone."),
    ),
    Indicator(
        "overdose_reversals_reported",
        _l("Overdose reversals reported"),
        _l("Reversals with naloxone that clients reported at contacts."),
    ),
    Indicator(
        "referrals_made",
        _l("Referrals made"),
        _l("Referrals made at contacts in the month (or year), by type."),
        breakdown="referral_type",
    ),
    Indicator(
        "referrals_attended",
        _l("Referrals attended"),
        _l("Referrals made in the month (or year) whose status is now 'attended'."),
        breakdown="referral_type",
    ),
    Indicator(
        "dcr_visits",
        _l("DCR visits"),
        _l("Drug consumption room visits, by route of use."),
        breakdown="route",
    ),
    Indicator(
        "incidents",
        _l("Incidents"),
        _l("Drug-related emergencies, by kind."),
        breakdown="incident_kind",
    ),
    Indicator(
        "incidents_by_outcome",
        _l("Incidents by outcome"),
        _l("Drug-related emergencies, by outcome."),
        breakdown="outcome",
    ),
    Indicator(
        "naloxone_doses_administered",
        _l("Naloxone doses administered"),
        _l("Naloxone doses given by staff at incidents."),
    ),
    Indicator(
        "records_time_corrected",
        _l("Records with a corrected time"),
        _l(
            "Contacts and incidents whose time the server corrected because the phone's clock "
            "was wrong when it sent them."
        ),
    ),
    Indicator(
        "sites_active",
        _l("Active sites"),
        _l("Sites with at least one contact in the month (or year), by kind of site."),
        people=False,
        breakdown="site_kind",
    ),
    Indicator(
        "stock_received",
        _l("Stock received"),
        _l("Units delivered to the site, by item."),
        people=False,
        breakdown="item",
    ),
    Indicator(
        "stock_transferred_in",
        _l("Stock transferred in"),
        _l("Units moved to the site from another site, by item."),
        people=False,
        breakdown="item",
    ),
    Indicator(
        "stock_transferred_out",
        _l("Stock transferred out"),
        _l("Units moved from the site to another site, by item."),
        people=False,
        breakdown="item",
    ),
    Indicator(
        "stock_handed_out",
        _l("Stock handed out"),
        _l("Units handed out at contacts and in bulk, by item (voided contacts put theirs back)."),
        people=False,
        breakdown="item",
    ),
    Indicator(
        "stock_adjusted",
        _l("Stock adjusted"),
        _l(
            "The signed change of counts, adjustments and shortfalls (units handed out beyond the "
            "books), by item."
        ),
        people=False,
        breakdown="item",
    ),
    Indicator(
        "stock_disposed",
        _l("Stock disposed of"),
        _l("Units destroyed (expired, recalled, damaged), by item."),
        people=False,
        breakdown="item",
    ),
    Indicator(
        "stock_closing",
        _l("Closing stock"),
        _l(
            "Units held at the end of the month (of December for a year), by item: the opening "
            "stock plus received and transferred in, less transferred out, handed out and "
            "disposed of, plus adjusted."
        ),
        people=False,
        breakdown="item",
    ),
]
BY_NAME = {indicator.name: indicator for indicator in INDICATORS}

AGE_GROUPS = ("under_25", "25_34", "35_44", "45_54", "55_plus", "unknown")
GENDERS = ("f", "m", "x", "unknown")


def age_group(year: int, birth_year: int | None) -> str:
    if not birth_year:
        return "unknown"
    age = year - birth_year
    if age < 25:
        return "under_25"
    if age >= 55:
        return "55_plus"
    low = 25 + (age - 25) // 10 * 10
    return f"{low}_{low + 9}"
