"""A hand-built data set of past months (2025-09 to 2025-11), inserted directly with the ORM;
the values it gives, worked out by hand, are in tests/reports/expected.py.

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
            referral_type.code: referral_type
            for referral_type in db.session.execute(select(ReferralType)).scalars()
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


@contextmanager
def built(app):
    """`with built(app) as b:` a Builder in a request context; committed with the reports'
    roll-ups rebuilt (the rows go in directly, not through the services)."""
    with app.test_request_context():
        builder = Builder()
        yield builder
        db.session.flush()
        rollups.rebuild()
        db.session.commit()


def add_records(b: Builder) -> None:
    """The clients and records of the module docstring (its two workers are users already)."""
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
    b.contact("2025-09-20T10:00", NSP, "nsp_exchange", by=street_worker, items={"syringe_2ml": 5})
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
    b.incident("2025-10-03T20:00", DCR, "opioid_overdose", "recovered_on_site", 2, by=dcr_worker)
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
    b.incident("2025-10-25T10:00", DCR, "opioid_overdose", "death", 3, by=dcr_worker, voided=True)
    b.incident("2025-11-02T10:00", NSP, "other_medical", "unknown", 0, by=street_worker)
    b.incident("2025-10-31T23:15", DCR, "opioid_overdose", "recovered_on_site", 1, by=dcr_worker)
