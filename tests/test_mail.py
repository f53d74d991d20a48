"""Mail through the outbox, sent to a real SMTP server (aiosmtpd on 127.0.0.1)."""

import re
import threading

import pytest
from sqlalchemy import func, select, update

from shop.database import utcnow
from shop.extensions import db
from shop.mail import delivery
from shop.mail.models import MailStatus, OutboxMessage
from shop.mail.outbox import enqueue
from tests.helpers import TEST_DATABASE_URL, test_config
from tests.mail_server import body_html, body_text

# The courier and the concurrent senders are threads with sessions of their own: they must see
# what the test committed, for real.
pytestmark = pytest.mark.real_commits

VISA = "4242 4242 4242 4242"
ADDRESS = {"name": "Rosa Diaz", "line1": "1 Main St", "city": "Springfield",
           "postalCode": "12345", "country": "US"}


@pytest.fixture
def app_config(database, tmp_path, mail_server):
    return test_config(tmp_path, **mail_server.config(), MAIL_DELIVER_AFTER_COMMIT=True,
                       SHOP_STAFF_EMAIL="staff-inbox@shop.test")


def outbox(app) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        result = [{"kind": r.kind, "status": r.status, "attempts": r.attempts,
                   "recipient": r.recipient, "event_key": r.event_key,
                   "last_error": r.last_error} for r in rows]
        db.session.remove()
        return result


def place(shopper, make_product, **shipping):
    pid = make_product(name="Ceramic Mug", price=1400)
    body = {"products": [pid, pid], **shipping} if shipping else [pid, pid]
    response = shopper.post("/orders/new", json=body)
    assert response.status_code == 201, response.json
    return response.json


def pay(shopper, order):
    response = shopper.post("/payments/test/confirm",
                            json={"clientSecret": order["clientSecret"], "cardNumber": VISA})
    assert response.status_code == 200, response.json
    return response


def standard_id(client) -> int:
    return next(m["id"] for m in client.get("/shipping-methods").json
                if m["name"] == "Standard shipping")


def test_paying_sends_one_confirmation_and_a_staff_notice(app, client, shopper, make_product,
                                                          mail_server, courier):
    order = place(shopper, make_product, shippingMethodId=standard_id(client),
                  shippingAddress=ADDRESS)
    assert outbox(app) == []  # placing an order says nothing yet
    pay(shopper, order)
    courier.join()
    mails = mail_server.wait_for(2)
    assert len(mails) == 2
    by_to = {m["To"]: m for m in mails}
    confirmation = by_to["shopper@example.com"]
    assert confirmation["Subject"] == f"Order {order['id']} is confirmed"
    assert confirmation["From"] == "Shop <orders@shop.test>"
    assert confirmation.get_content_type() == "multipart/alternative"
    text, html = body_text(confirmation), body_html(confirmation)
    assert f"Order {order['id']} is confirmed" in text and "2 × Ceramic Mug" in text
    assert "Rosa Diaz" in text and "Springfield" in text and "$33.00" in text  # 28 + 5
    assert f"http://shop.test/account/orders/{order['id']}" in text
    assert "<h1>Thank you! Order" in html and "$33.00" in html
    staff = by_to["staff-inbox@shop.test"]
    assert staff["Subject"] == f"New order {order['id']}"
    assert f"http://shop.test/staff/orders/{order['id']}" in body_text(staff)
    assert {m["rcpt_tos"][0] for m in mail_server.messages} == {
        "shopper@example.com", "staff-inbox@shop.test"}
    assert [r["status"] for r in outbox(app)] == ["sent", "sent"]


def test_shipping_cancelling_and_refunding_each_send_a_notice(app, runner, shopper, staff,
                                                              make_product, mail_server,
                                                              courier):
    shipped = place(shopper, make_product)
    staff.post("/orders/status-update", json={"orderId": shipped["id"], "status": "paid"})
    staff.post("/orders/status-update", json={
        "orderId": shipped["id"], "status": "shipped",
        "tracking": {"carrier": "UPS", "number": "1Z999AA1", "url": "https://ups.example/1Z"}})
    staff.post("/orders/status-update", json={"orderId": shipped["id"], "status": "refunded"})
    cancelled = place(shopper, make_product)
    shopper.post("/orders/status-update", json={"orderId": cancelled["id"],
                                                "status": "cancelled"})
    courier.join()
    result = runner.invoke(args=["shop", "send-mail"])  # whatever the courier left
    assert result.exit_code == 0, result.output
    subjects = sorted(m["Subject"] for m in mail_server.mails()
                      if m["To"] == "shopper@example.com")
    assert subjects == sorted([f"Order {shipped['id']} is confirmed",
                               f"Order {shipped['id']} is on its way",
                               f"Order {shipped['id']} is refunded",
                               f"Order {cancelled['id']} is cancelled"])
    notice = next(m for m in mail_server.mails() if "on its way" in m["Subject"])
    assert "UPS" in body_text(notice) and "1Z999AA1" in body_text(notice)
    assert 'href="https://ups.example/1Z"' in body_html(notice)


def test_a_change_that_fails_sends_nothing(app, shopper, staff, make_product, courier):
    order = place(shopper, make_product)
    # Shipping a pending order is refused: the transaction rolls back, and its mail with it.
    assert staff.post("/orders/status-update", json={"orderId": order["id"],
                                                     "status": "shipped"}).status_code == 409
    assert outbox(app) == []


def test_expired_orders_send_their_cancellation_from_the_cli(app, runner, shopper,
                                                             make_product, age, mail_server,
                                                             courier):
    order = place(shopper, make_product)
    age(order["id"], 25)
    assert runner.invoke(args=["shop", "expire-orders", "--older-than", "24h"]).exit_code == 0
    courier.join()
    runner.invoke(args=["shop", "send-mail"])
    assert [m["Subject"] for m in mail_server.wait_for(1)] == [
        f"Order {order['id']} is cancelled"]


def test_an_smtp_outage_delays_the_confirmation_and_it_is_sent_once(
        app, runner, shopper, make_product, mail_server, courier):
    order = place(shopper, make_product)
    mail_server.stop()
    response = pay(shopper, order)  # the request does not wait for, or fail with, SMTP
    assert response.json["status"] == "paid"
    courier.join()
    [confirmation, staff_notice] = outbox(app)
    assert confirmation["status"] == "pending" and confirmation["attempts"] == 1
    assert "ConnectionRefusedError" in confirmation["last_error"]

    mail_server.start()
    # Backed off: nothing is due yet, so send-mail sends nothing.
    result = runner.invoke(args=["shop", "send-mail"])
    assert "Sent 0" in result.output and mail_server.messages == []
    with app.app_context():  # the back-off passes
        db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
        db.session.commit()
    result = runner.invoke(args=["shop", "send-mail"])
    assert result.exit_code == 0 and "Sent 2" in result.output
    runner.invoke(args=["shop", "send-mail"])  # and again: nothing more
    confirmations = [m for m in mail_server.mails() if m["To"] == "shopper@example.com"]
    assert len(confirmations) == 1
    assert confirmations[0]["Subject"] == f"Order {order['id']} is confirmed"
    assert [r["status"] for r in outbox(app)] == ["sent", "sent"]


def test_back_off_doubles_and_is_capped(app):
    with app.app_context():
        app.config["MAIL_RETRY_DELAY"] = 60
        assert [delivery.retry_delay(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
        assert delivery.retry_delay(40) == delivery.MAX_RETRY_DELAY


def test_no_header_can_be_injected_through_a_recipient_or_subject(app, runner, mail_server):
    app.config["MAIL_DELIVER_AFTER_COMMIT"] = False  # sent by send-mail below
    with app.app_context():
        enqueue(kind="test", event_key="evil-recipient",
                recipient="victim@example.com\r\nBcc: evil@example.com", subject="Hello",
                template="password_reset", user=type("U", (), {"email": "x"}),
                reset_url="http://shop.test/r")
        enqueue(kind="test", event_key="evil-subject", recipient="victim@example.com",
                subject="Hi\r\nBcc: evil@example.com\r\n\r\nbody", template="password_reset",
                user=type("U", (), {"email": "Eve\r\nBcc: evil@example.com"}),
                reset_url="http://shop.test/r")
        db.session.commit()
    result = runner.invoke(args=["shop", "send-mail"])
    assert "Sent 1" in result.output and "refused 1" in result.output
    [received] = mail_server.messages
    assert received["rcpt_tos"] == ["victim@example.com"]
    message = received["message"]
    assert message["Bcc"] is None
    assert message["Subject"] == "Hi Bcc: evil@example.com body"
    assert [r["status"] for r in outbox(app)] == ["failed", "sent"]


@pytest.mark.parametrize("address, plain", [
    ("a@example.com", True), ("a@example.com\r\nBcc: b@example.com", False),
    ("A <a@example.com>", False), ("a@example.com, b@example.com", False),
    ("a@b", False), ("", False), ("a@exam\x00ple.com", False),
])
def test_only_plain_addresses_become_recipients(address, plain):
    assert delivery.is_plain_address(address) is plain


def test_without_mail_server_mail_is_written_to_files(tmp_path, shopper, make_product, app,
                                                      runner):
    app.config.update(MAIL_SERVER=None, MAIL_DELIVER_AFTER_COMMIT=False)
    order = place(shopper, make_product)
    pay(shopper, order)
    result = runner.invoke(args=["shop", "send-mail"])
    assert "Sent 2" in result.output
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    assert any(f"Subject: Order {order['id']} is confirmed" in f.read_text() for f in files)


def test_two_senders_at_once_send_every_mail_exactly_once(app, mail_server):
    """Two workers run the delivery loop concurrently on the same outbox."""
    mail_server.inbox.delay = 0.02
    app.config["MAIL_DELIVER_AFTER_COMMIT"] = False  # only the two workers send
    with app.app_context():
        for n in range(30):
            enqueue(kind="test", event_key=f"bulk-{n}", recipient=f"r{n}@example.com",
                    subject=f"Mail {n}", template="password_reset",
                    user=type("U", (), {"email": f"r{n}@example.com"}),
                    reset_url="http://shop.test/r")
        db.session.commit()
    sent_by: dict[str, list[int]] = {}
    start = threading.Barrier(2)

    def worker(name: str) -> None:
        with app.app_context():
            start.wait()
            sent_by[name] = delivery.deliver_due(limit=100).sent
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    received = [m["message"]["Subject"] for m in mail_server.messages]
    assert sorted(received) == sorted(f"Mail {n}" for n in range(30))  # each once
    assert len(sent_by["a"]) + len(sent_by["b"]) == 30
    assert not set(sent_by["a"]) & set(sent_by["b"])
    if TEST_DATABASE_URL:  # on PostgreSQL both senders really work side by side
        assert sent_by["a"] and sent_by["b"], sent_by
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status == MailStatus.SENT)) == 30


@pytest.mark.postgres
def test_two_send_mail_processes_at_once_send_every_mail_once(app, mail_server):
    """Two `flask shop send-mail` processes, as two cron hosts would run them, on PostgreSQL."""
    import os
    import subprocess
    import sys

    from tests.helpers import need

    need(bool(TEST_DATABASE_URL), "the two-process test needs PostgreSQL")
    mail_server.inbox.delay = 0.01
    app.config["MAIL_DELIVER_AFTER_COMMIT"] = False
    with app.app_context():
        for n in range(60):
            enqueue(kind="test", event_key=f"cron-{n}", recipient=f"r{n}@example.com",
                    subject=f"Mail {n}", template="password_reset",
                    user=type("U", (), {"email": "x"}), reset_url="http://shop.test/r")
        db.session.commit()
    env = {**os.environ, "DATABASE_URL": TEST_DATABASE_URL, "SECRET_KEY": "test-secret",
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(mail_server.port)}
    flask = [sys.executable, "-m", "flask", "--app", "app", "shop", "send-mail"]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    processes = [subprocess.Popen(flask, cwd=root, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert all(p.returncode == 0 for p in processes), outputs
    counts = [int(re.search(r"Sent (\d+)", out).group(1)) for out in outputs]
    assert sum(counts) == 60, outputs
    subjects = [m["message"]["Subject"] for m in mail_server.messages]
    assert sorted(subjects) == sorted(f"Mail {n}" for n in range(60))


def test_mail_html_carries_no_script_and_no_link_to_other_origins():
    """Mail templates may style themselves inline (mail clients drop stylesheets), but they
    never run script or load anything."""
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "templates" / "mail"
    for template in folder.glob("*.html"):
        html = template.read_text()
        assert "<script" not in html and "<link" not in html and "<img" not in html, template
        assert not re.search(r"\son[a-z]+\s*=", html), template
