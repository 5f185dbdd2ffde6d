"""Flask commands: `create-user`, `seed-catalog`, `demo-data`."""

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from outreach import demo
from outreach.catalog.vocabulary import ROLES
from outreach.errors import InvalidInput
from outreach.extensions import db
from outreach.records.models import Contact


def register(app) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_catalog_command)
    app.cli.add_command(demo_data_command)


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
        for field, messages in exc.errors.items():
            click.echo(f"{field}: {' '.join(str(m) for m in messages)}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(f"Created {role} {username}.")


@click.command("seed-catalog")
@with_appcontext
def seed_catalog_command():
    """Add the default equipment items and referral types (those missing)."""
    demo.seed_catalog()
    db.session.commit()
    click.echo("Catalog ready.")


@click.command("demo-data")
@with_appcontext
def demo_data_command():
    """Demo sites, catalog, the logins admin/supervisor/worker and three months of activity."""
    demo.seed_catalog()
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
    db.session.commit()
