"""`flask --app app shop …`: the shop's commands."""

import click
from flask import current_app
from flask.cli import AppGroup

from shop.accounts import services as accounts
from shop.accounts.models import Role
from shop.exceptions import DomainError

shop_cli = AppGroup("shop", help="Manage the shop: users, tokens, demo data.")


@shop_cli.command("create-user")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--staff", is_flag=True, help="Make the user sales staff.")
def create_user(email: str, password: str, staff: bool) -> None:
    """Add a user."""
    try:
        user = accounts.create_user(email, password, Role.STAFF if staff else Role.CUSTOMER)
    except DomainError as error:
        raise click.ClickException(error.detail) from None
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@shop_cli.command("create-token")
@click.argument("email")
@click.option("--name", default="CLI token", show_default=True)
def create_token(email: str, name: str) -> None:
    """Print a new API token for that user, once."""
    user = accounts.user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with email {email}.")
    _, plain = accounts.create_token(user, name)
    click.echo(plain)


@shop_cli.command("seed-demo")
def seed_demo() -> None:
    """Fill the shop with a sample catalog, lead pipeline and demo users (idempotent)."""
    from shop.demo import seed

    for line in seed(current_app.config):
        click.echo(line)
