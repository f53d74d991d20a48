"""The shop's commands: create-user, create-token, seed-demo."""

from sqlalchemy import func, select

from shop.accounts import services as accounts
from shop.catalog.models import Product
from shop.extensions import db
from shop.leads.models import Lead, LeadStatus


def test_create_user_and_staff(runner, app):
    result = runner.invoke(args=["shop", "create-user", "Ann@Example.com", "--password",
                                 "a-long-password"])
    assert result.exit_code == 0, result.output
    staff = runner.invoke(args=["shop", "create-user", "boss@example.com", "--password",
                                "a-long-password", "--staff"])
    assert staff.exit_code == 0
    with app.app_context():
        assert accounts.authenticate("ann@example.com", "a-long-password").role == "customer"
        assert accounts.user_by_email("boss@example.com").is_staff


def test_create_user_refuses_duplicates_and_short_passwords(runner, make_user):
    make_user("ann@example.com")
    dup = runner.invoke(args=["shop", "create-user", "ann@example.com", "--password", "x" * 10])
    assert dup.exit_code != 0 and "already exists" in dup.output
    short = runner.invoke(args=["shop", "create-user", "bob@example.com", "--password", "x"])
    assert short.exit_code != 0 and "at least" in short.output


def test_create_token_prints_a_working_token_once(runner, make_user, client):
    make_user("ann@example.com")
    result = runner.invoke(args=["shop", "create-token", "ann@example.com", "--name", "cron"])
    assert result.exit_code == 0
    token = result.output.strip()
    assert token.startswith("shop_")
    assert client.get("/orders", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    unknown = runner.invoke(args=["shop", "create-token", "nobody@example.com"])
    assert unknown.exit_code != 0 and "No user" in unknown.output


def counts(app):
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (Product, LeadStatus, Lead))


def test_seed_demo_is_idempotent_and_prints_credentials(runner, app, client):
    first = runner.invoke(args=["shop", "seed-demo"])
    assert first.exit_code == 0, first.output
    assert "shopper@example.com" in first.output and "staff@example.com" in first.output
    after_first = counts(app)
    products, statuses, leads = after_first
    assert products >= 10 and statuses >= 5 and leads >= 10
    in_stock = [p for p in client.get("/products").json if p["stock"] >= 100]
    assert len(in_stock) >= products - 2
    second = runner.invoke(args=["shop", "seed-demo"])
    assert second.exit_code == 0
    assert counts(app) == after_first
    # The printed credentials work.
    line = next(x for x in first.output.splitlines() if "shopper@example.com" in x)
    password = line.split("/")[-1].strip()
    with app.app_context():
        assert accounts.authenticate("shopper@example.com", password) is not None
