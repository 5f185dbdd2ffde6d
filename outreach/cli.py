"""Flask commands: `create-user`, `create-site`, `seed-catalog`, `demo-data`,
`rebuild-rollups`, `purge`, `backup`, `restore`, `rotate-seal-key`."""

import re
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from outreach import backups, demo
from outreach.catalog.defaults import seed_catalog
from outreach.catalog.service import create_site
from outreach.catalog.vocabulary import ROLES, SITE_KINDS
from outreach.demo.volume import checkpoint, seed_volume
from outreach.errors import BackupError, InvalidInput, RetentionError
from outreach.extensions import db
from outreach.records.models import Contact
from outreach.reports import rollups
from outreach.retention.service import default_cutoff, purge
from outreach.sealing import keys as seal_keys
from outreach.settings import retention_months


def register(app) -> None:
    app.cli.add_command(rebuild_rollups_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(create_site_command)
    app.cli.add_command(seed_catalog_command)
    app.cli.add_command(demo_data_command)
    app.cli.add_command(purge_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(rotate_seal_key_command)


def _refuse(exc: InvalidInput):
    """Say what is wrong with each field, and stop with exit code 1."""
    for field, messages in exc.errors.items():
        click.echo(f"{field}: {' '.join(str(m) for m in messages)}", err=True)
    raise SystemExit(1) from None


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(list(ROLES)), default="worker", show_default=True)
@click.option("--site", "sites", multiple=True, help="Site code; repeat for several sites.")
@click.password_option(help="Asked for when not given.")
@with_appcontext
def create_user_command(username, role, sites, password):
    """Create a user with a role and sites."""
    from outreach.auth.service import create_user

    try:
        create_user(username, password, role, list(sites))
    except InvalidInput as exc:
        _refuse(exc)
    db.session.commit()
    click.echo(f"Created {role} {username}.")


@click.command("create-site")
@click.argument("code")
@click.option("--name", required=True, help="What staff call it in English, e.g. 'DCR Amsterdam'.")
@click.option("--name-nl", help="What staff call it in Dutch (default: the English name).")
@click.option("--kind", type=click.Choice(list(SITE_KINDS)), required=True)
@click.option("--city", default="")
@with_appcontext
def create_site_command(code, name, name_nl, kind, city):
    """Create a site (code such as AMS-DCR1, stable: records and exports name it)."""
    try:
        create_site(code, name, name if name_nl is None else name_nl, kind, city)
    except InvalidInput as exc:
        _refuse(exc)
    db.session.commit()
    click.echo(f"Created site {code.strip().upper()}.")


@click.command("seed-catalog")
@with_appcontext
def seed_catalog_command():
    """Add the default equipment items and referral types (those missing)."""
    seed_catalog()
    db.session.commit()
    click.echo("Catalog ready.")


@click.command("demo-data")
@click.option(
    "--contacts",
    type=click.IntRange(min=0),
    default=0,
    help="Also bulk-insert this many contacts (a volume for benchmarks).",
)
@click.option("--months", type=click.IntRange(1, 120), default=24, show_default=True)
@click.option("--sites", type=click.IntRange(1, 500), default=30, show_default=True)
@with_appcontext
def demo_data_command(contacts, months, sites):
    """Demo sites, catalog, the logins admin/supervisor/worker and three months of activity;
    with --contacts, a large volume over --months months at --sites sites as well."""
    seed_catalog()
    demo.seed_sites()
    password, generated = demo.demo_password(current_app.config["OUTREACH_DEMO_PASSWORD"])
    created = demo.seed_users(password)
    if created:
        if generated:
            click.echo(f"Demo logins {', '.join(created)}; password (shown once): {password}")
        else:
            click.echo(f"Demo logins {', '.join(created)}; password from OUTREACH_DEMO_PASSWORD.")
    if db.session.execute(select(func.count(Contact.id))).scalar_one() == 0:
        count = demo.seed_activity()
        click.echo(f"Demo activity: {count} contacts.")
    if contacts:
        started = time.perf_counter()
        made = seed_volume(contacts, months=months, sites=sites)
        db.session.commit()
        checkpoint()
        seconds = time.perf_counter() - started
        click.echo(
            f"Volume: {made['contacts']} contacts, {made['items']} items, "
            f"{made['referrals']} referrals, {made['incidents']} incidents at {sites} sites "
            f"over {months} months in {seconds:.0f} s "
            f"({made['contacts'] / seconds:,.0f} contacts/s)."
        )
    db.session.commit()


@click.command("rebuild-rollups")
@with_appcontext
def rebuild_rollups_command():
    """Recompute the reports' monthly roll-ups from the records (after changing the time zone)."""
    started = time.perf_counter()
    rollups.rebuild()
    db.session.commit()
    click.echo(f"Roll-ups rebuilt in {time.perf_counter() - started:.1f} s.")


def _month(_context, _parameter, value):
    if value is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise click.BadParameter("a month as YYYY-MM, e.g. 2024-01")
    return value


@click.command("purge")
@click.option(
    "--before",
    callback=_month,
    help="First month to keep (YYYY-MM); default: the retention months back (set at "
    "/admin/settings, else OUTREACH_RETENTION_MONTHS).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def purge_command(before, yes):
    """Remove the records of months before --before, keeping their exact monthly counts."""
    before = before or default_cutoff(retention_months())
    if not yes:
        click.confirm(
            f"Remove every contact, referral and incident before {before}? "
            "Their monthly counts stay.",
            abort=True,
        )
    try:
        before, removed = purge(before)
    except RetentionError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(
        f"Purged before {before}: {removed['contacts']} contacts, "
        f"{removed['referrals']} referrals, {removed['incidents']} incidents. "
        "Their monthly counts are kept."
    )


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path):
    """Copy the SQLite database to PATH while the app keeps running."""
    try:
        target = backups.backup(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backup written to {target}.")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path, yes):
    """Replace the SQLite database's content with the backup at PATH (stop the app first)."""
    if not yes:
        click.confirm(f"Replace everything in the database with {path}?", abort=True)
    try:
        revision = backups.restore(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored {path} (schema {revision}); now run `flask db upgrade`.")


@click.command("rotate-seal-key")
@with_appcontext
def rotate_seal_key_command():
    """Add a new seal key to OUTREACH_SEAL_KEY_DIR: phones get it at their next sync; records
    sealed under older keys still open as long as those keys stay."""
    folder = current_app.config.get("OUTREACH_SEAL_KEY_DIR")
    if not folder:
        click.echo("OUTREACH_SEAL_KEY_DIR is not set: nowhere to put a new key.", err=True)
        raise SystemExit(1)
    made = seal_keys.write_new_key(folder)
    seal_keys.init_app(current_app)
    click.echo(f"New seal key {made.kid} in {folder}; keep every older key until no phone waits.")
    click.echo("Restart the app's processes so that all of them hand it out.")
