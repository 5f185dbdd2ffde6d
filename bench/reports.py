"""Reports and exports on a national-scale database: 1,000,000 contacts, 24 months, 30 sites.

Prints the time to generate the volume (first run only: the database is kept under
instance/bench/), the median time of the monthly report for all sites and of the 12-month
trends beside a hand-written SQL query computing the same syringe totals (with the ratio), the
annual report of the last complete year (the year page and the annual export), the same days of
the month before counted from the records (what the dashboard compares the month so far with; a
whole month, the worst case), the peak memory of a 12-month CSV export, and the time to read
the stock of every site as `GET /api/v1/stock` answers it (target: at most 50 ms for 30 sites). With
OUTREACH_BENCH_DATABASE_URL (PostgreSQL), the same figures for that database. Run with `make bench`.
"""

import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, select, text

from outreach import create_app
from outreach.catalog.models import Site
from outreach.extensions import db
from outreach.records.models import Contact
from outreach.reports.annual import annual_report
from outreach.reports.recount import direct_report
from outreach.reports.service import monthly_report
from outreach.sealing.keys import new_pem
from outreach.supplies.service import stock_as_json, stock_of_sites
from outreach.timekeeping import month_bounds, month_of, months_between, now, shift_month

ROOT = Path(__file__).resolve().parent.parent
SQLITE_PATH = ROOT / "instance" / "bench" / "sqlite-1m.db"
CONTACTS = int(os.environ.get("BENCH_CONTACTS", "1000000"))
RUNS = 7
SECRETS = {"SECRET_KEY": "bench", "OUTREACH_CLIENT_KEY": "bench"}

# Syringes handed out: the items of contacts that count as syringes, and bulk hand-outs of
# them (the ledger's `handed_out` lines, negative), as the report counts them; by site, or by
# month (a CASE) and site.
SYRINGES = """
SELECT {month}site_id, SUM(quantity)
FROM (
  SELECT c.site_id, c.occurred_at, ci.quantity
  FROM contacts c
  JOIN contact_items ci ON ci.contact_id = c.id
  JOIN equipment_items e ON e.id = ci.item_id
  WHERE c.voided_at IS NULL AND c.occurred_at >= :start AND c.occurred_at < :end
    AND e.counts_as_syringe
  UNION ALL
  SELECT se.site_id, se.occurred_at, -se.quantity
  FROM stock_entries se
  JOIN equipment_items e ON e.id = se.item_id
  WHERE se.kind = 'handed_out' AND se.occurred_at >= :start AND se.occurred_at < :end
    AND e.counts_as_syringe
) AS handed_out
GROUP BY {group}site_id
"""
SYRINGES_BY_SITE = SYRINGES.format(month="", group="")


def median_seconds(function, runs=RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def ensure_volume(url: str) -> None:
    """Migrate and fill the database once; later runs reuse it."""
    app = create_app({**SECRETS, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        have = db.session.execute(select(func.count(Contact.id))).scalar_one()
        db.engine.dispose()
    if have >= CONTACTS:
        print(f"volume: {have:,} contacts already there")
        return
    env = {
        **os.environ,
        "FLASK_APP": "outreach",
        "OUTREACH_DATABASE_URL": url,
        "OUTREACH_SECRET_KEY": "bench",
        "OUTREACH_CLIENT_KEY": "bench",
        "OUTREACH_SEAL_KEY": new_pem().decode(),
        "OUTREACH_DEMO_PASSWORD": "bench password",
    }
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "flask", "demo-data", "--contacts", str(CONTACTS - have)],
        check=True,
        env=env,
        cwd=ROOT,
    )
    print(f"volume: generated in {time.perf_counter() - started:.0f} s")


def bound(statement, start, end):
    """Bind UTC bounds the way the column stores them (naive on SQLite)."""
    if db.engine.dialect.name == "sqlite":
        start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    return db.session.execute(text(statement), {"start": start, "end": end}).all()


def syringes_by_month(months):
    """The trend's syringe totals by hand: one query, months by a CASE on UTC bounds."""
    params, whens = {}, []
    naive = db.engine.dialect.name == "sqlite"
    for number, month in enumerate(months):
        start, end = month_bounds(month)
        if naive:
            start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
        params.update({f"s{number}": start, f"e{number}": end})
        whens.append(f"WHEN occurred_at >= :s{number} AND occurred_at < :e{number} THEN '{month}'")
    params.update(start=params["s0"], end=params[f"e{len(months) - 1}"])
    statement = SYRINGES.format(month=f"CASE {' '.join(whens)} END AS month, ", group="1, ")
    return db.session.execute(text(statement), params).all()


def measure(url: str) -> None:
    app = create_app({**SECRETS, "SQLALCHEMY_DATABASE_URI": url})
    with app.test_request_context():
        dialect = db.engine.dialect.name
        sites = list(db.session.execute(select(Site)).scalars())
        month = shift_month(month_of(now()), -1)
        year = months_between(shift_month(month, -11), month)
        start, end = month_bounds(month)
        count = db.session.execute(select(func.count(Contact.id))).scalar_one()
        print(f"\n{dialect}: {count:,} contacts, {len(sites)} sites; month {month}")

        # Same totals both ways, to be sure the comparison is fair.
        report = monthly_report([month], sites)
        by_hand = dict(bound(SYRINGES_BY_SITE, start, end))
        assert sum(by_hand.values()) == report.get(month, "syringes_distributed"), "totals differ"

        monthly = median_seconds(lambda: monthly_report([month], sites))
        raw_month = median_seconds(lambda: bound(SYRINGES_BY_SITE, start, end))
        trends = median_seconds(lambda: monthly_report(year, sites, trends=True), runs=3)
        raw_year = median_seconds(lambda: syringes_by_month(year), runs=3)
        print(f"monthly report, all sites:   {monthly * 1000:7.0f} ms (median of {RUNS})")
        print(
            f"hand-written syringe SQL:    {raw_month * 1000:7.0f} ms   "
            f"ratio {monthly / raw_month:.2f}x"
        )
        print(f"12-month trends, all sites:  {trends * 1000:7.0f} ms (median of 3)")
        print(
            f"hand-written 12-month SQL:   {raw_year * 1000:7.0f} ms   "
            f"ratio {trends / raw_year:.2f}x"
        )
        # The year page and the annual export read the year as one period; the dashboard's
        # month so far is compared with the same days of the month before, counted from the
        # records: at the end of a month, a whole month of them.
        last_year = int(month_of(now())[:4]) - 1
        annual = median_seconds(lambda: annual_report(last_year, sites), runs=3)
        print(f"annual report {last_year}, all sites: {annual * 1000:5.0f} ms (median of 3)")
        days_before = median_seconds(lambda: direct_report([month], sites, until=end), runs=3)
        print(
            f"same days of the month before, from the records (a whole month): "
            f"{days_before * 1000:.0f} ms (median of 3)"
        )
        stock = median_seconds(lambda: [stock_as_json(each) for each in stock_of_sites(sites)])
        held = sum(len(each.items) for each in stock_of_sites(sites))
        print(
            f"stock of all {len(sites)} sites:     {stock * 1000:7.1f} ms (median of {RUNS}; "
            f"{held} site x item rows; target <= 50 ms)"
        )
        db.engine.dispose()
    export_memory(url, year[0], year[-1])


EXPORT = """
import resource, sys, time
from outreach import create_app
from outreach.catalog.models import Site
from outreach.exports.service import Export, csv_lines
from outreach.extensions import db
from outreach.reports.report import SiteRef
from outreach.timekeeping import months_between
from sqlalchemy import select
app = create_app({"SECRET_KEY": "bench", "OUTREACH_CLIENT_KEY": "bench",
                  "SQLALCHEMY_DATABASE_URI": sys.argv[1]})
with app.test_request_context():
    sites = [SiteRef.of(s) for s in db.session.execute(select(Site)).scalars()]
    started = time.perf_counter()
    lines = 0
    for line in csv_lines(Export("month", months_between(sys.argv[2], sys.argv[3]), sites, 10)):
        lines += 1
    seconds = time.perf_counter() - started
def peak_kb():
    # VmHWM is this program's own peak (exec starts it anew); ru_maxrss may include the
    # peak of the process that started it.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(lines, seconds, peak_kb())
"""


def export_memory(url: str, first: str, last: str) -> None:
    """Stream a 12-month CSV export in a process of its own and read its peak memory."""
    output = subprocess.run(
        [sys.executable, "-c", EXPORT, url, first, last],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.split()
    lines, seconds, peak_kb = int(output[0]), float(output[1]), int(output[2])
    print(
        f"12-month CSV export:         {seconds:7.1f} s, {lines:,} lines, "
        f"peak memory {peak_kb / 1024:.0f} MB (whole process)"
    )


def main() -> None:
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    targets = [f"sqlite:///{SQLITE_PATH}"]
    if os.environ.get("OUTREACH_BENCH_DATABASE_URL"):
        targets.append(os.environ["OUTREACH_BENCH_DATABASE_URL"])
    for url in targets:
        ensure_volume(url)
        measure(url)


if __name__ == "__main__":
    main()
