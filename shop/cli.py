"""`flask --app app shop …`: the shop's commands."""

from datetime import timedelta

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


class Duration(click.ParamType):
    """A span of time written as a number and a unit: 30m, 24h, 2d."""

    name = "duration"
    UNITS = {"m": "minutes", "h": "hours", "d": "days"}

    def convert(self, value, param, ctx) -> timedelta:
        if isinstance(value, timedelta):
            return value
        text = str(value).strip().lower()
        number, unit = text[:-1], text[-1:]
        if unit not in self.UNITS or not number.isdigit() or int(number) < 1:
            self.fail(f"{value!r} is not a duration such as 30m, 24h or 2d.", param, ctx)
        return timedelta(**{self.UNITS[unit]: int(number)})


@shop_cli.command("expire-orders")
@click.option("--older-than", type=Duration(), default="24h", show_default=True,
              help="Cancel orders pending longer than this (e.g. 30m, 24h, 2d).")
def expire_orders(older_than: timedelta) -> None:
    """Cancel stale pending orders: their payment intents are cancelled, stock returns."""
    from shop.orders.services import expire_pending_orders

    results = expire_pending_orders(older_than)
    for result in results:
        click.echo(f"Order {result.order_id}: {result.outcome} ({result.detail})")
    cancelled = sum(1 for r in results if r.outcome == "cancelled")
    click.echo(f"Expired {cancelled} order{'s' if cancelled != 1 else ''} pending longer than "
               f"{_spell(older_than)}.")
    if any(r.outcome == "failed" for r in results):
        raise click.ClickException("Some orders could not be expired; run the command again.")


@shop_cli.command("reconcile-payments")
@click.option("--since", type=Duration(), default="48h", show_default=True,
              help="Settle pending orders placed within this span (e.g. 30m, 48h, 7d).")
def reconcile_payments(since: timedelta) -> None:
    """Ask the payment provider about every pending order and settle it; print what changed
    and every payment that does not match its order (for cron)."""
    from shop.payments.services import reconcile_payments as reconcile

    results = reconcile(since)
    for result in results:
        if result.outcome != "unchanged":
            click.echo(f"Order {result.order_id}: {result.outcome} ({result.detail})")
    counts = {k: sum(1 for r in results if r.outcome == k)
              for k in ("changed", "mismatch", "unchanged", "failed")}
    click.echo(f"Reconciled {len(results)} pending order{'s' if len(results) != 1 else ''} "
               f"placed within {_spell(since)}: {counts['changed']} changed, "
               f"{counts['mismatch']} mismatched, {counts['unchanged']} unchanged, "
               f"{counts['failed']} failed.")
    if counts["failed"]:
        raise click.ClickException("The provider could not be asked about some orders; "
                                   "run the command again.")


def _spell(span: timedelta) -> str:
    """30 minutes, 24 hours, 2 days: a duration as the person typed it, roughly."""
    minutes = int(span.total_seconds() // 60)
    for unit, size in (("day", 24 * 60), ("hour", 60), ("minute", 1)):
        if minutes % size == 0:
            count = minutes // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return str(span)


@shop_cli.command("send-mail")
@click.option("--limit", type=click.IntRange(1, 10_000), default=500, show_default=True,
              help="Send at most this many messages.")
def send_mail(limit: int) -> None:
    """Deliver the mail that is due from the outbox (run it from cron, e.g. every minute)."""
    from shop.mail.delivery import deliver_due

    report = deliver_due(limit=limit)
    click.echo(f"Sent {len(report.sent)}, to retry {len(report.retrying)}, "
               f"refused {len(report.failed)}.")
    if report.retrying:
        raise click.ClickException("Some mail could not be sent now; it will be retried.")
