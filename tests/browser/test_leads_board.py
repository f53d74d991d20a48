"""The lead board in real Chromium: dragging columns and cards, their button alternatives,
and a failed save that puts the board back as the server has it."""

import json

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.leads import services
from shop.leads.models import Lead, LeadStatus
from shop.leads.services import LeadFields
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

STATUSES = ["New", "Contacted", "Qualified", "Won"]


@pytest.fixture
def pipeline(app):
    """Four statuses; two leads in New, one in Contacted. Returns {name: id}."""
    with app.app_context():
        ids = {name: services.create_status(name).id for name in STATUSES}
        services.create_lead(LeadFields(name="Ada Byrne", company="Northwind"), ids["New"])
        services.create_lead(LeadFields(name="Tomás Ruiz", company="Ruiz Deli"), ids["New"])
        services.create_lead(LeadFields(name="Mei Chen", value_in_cents=150000),
                             ids["Contacted"])
    return ids


@pytest.fixture
def board(live_server, make_user, pipeline, page):
    """A staff member logged in through /login, looking at /staff/leads."""
    make_user("sales@example.com", staff=True)
    # No sliding animations: screenshots show where things landed.
    page.emulate_media(reduced_motion="reduce")
    page.goto(live_server.url + "/login?next=/staff/leads")
    page.get_by_label("Email").fill("sales@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/staff/leads")
    page.locator("[data-status-id]").first.wait_for()
    return page


def server_order(app) -> list[str]:
    with app.app_context():
        return [s.name for s in services.list_statuses()]


def dom_order(page) -> list[str]:
    return page.locator("[data-status-id] .column-title").all_inner_texts()


def server_columns(app) -> dict[str, list[str]]:
    with app.app_context():
        rows = db.session.execute(
            select(LeadStatus.name, Lead.name, Lead.position)
            .join(Lead.status).order_by(LeadStatus.name, Lead.position)).all()
    columns: dict[str, list[str]] = {}
    for status, lead, _ in rows:
        columns.setdefault(status, []).append(lead)
    return columns


def dom_cards(page, status_id: int) -> list[str]:
    cards = page.locator(f'[data-status-id="{status_id}"] [data-lead-id] .lead-name')
    return cards.all_inner_texts()


def test_dragging_a_column_by_its_handle_saves_the_new_order(board, live_server, pipeline,
                                                             screenshot):
    page = board
    screenshot(page, "before")
    handle = page.locator(f'[data-status-id="{pipeline["Qualified"]}"] [data-drag-handle]')
    with page.expect_response(lambda r: r.url.endswith("/leads/statuses/order")
                              and r.request.method == "PUT") as answer:
        handle.drag_to(page.locator(f'[data-status-id="{pipeline["New"]}"] [data-drag-handle]'))
    assert answer.value.status == 200
    sent = json.loads(answer.value.request.post_data)
    assert [entry["statusOrder"] for entry in sent] == [1, 2, 3, 4]
    page.get_by_text("Saved: Qualified is now column 1 of 4.").wait_for()
    screenshot(page, "after")

    expected = ["Qualified", "New", "Contacted", "Won"]
    assert dom_order(page) == expected
    assert server_order(live_server.app) == expected
    page.reload()
    assert dom_order(page) == expected


def test_the_move_buttons_reorder_columns_without_dragging(board, live_server):
    page = board
    page.get_by_role("button", name="Move Won left").click()
    page.get_by_text("Saved: Won is now column 3 of 4.").wait_for()
    # Focus stays on the button, so a keyboard user can keep going with Enter.
    page.keyboard.press("Enter")
    page.get_by_text("Saved: Won is now column 2 of 4.").wait_for()

    expected = ["New", "Won", "Contacted", "Qualified"]
    assert dom_order(page) == expected
    assert server_order(live_server.app) == expected
    page.reload()
    assert dom_order(page) == expected


def test_a_failed_save_puts_the_columns_back_as_the_server_has_them(board, live_server,
                                                                    screenshot):
    page = board

    def refuse(route):
        if route.request.method == "PUT":
            route.fulfill(status=500, content_type="application/problem+json",
                          body=json.dumps({"type": "about:blank", "title": "Internal Server Error",
                                           "status": 500, "detail": "Simulated failure."}))
        else:
            route.continue_()

    page.route("**/leads/statuses/order", refuse)
    page.get_by_role("button", name="Move Contacted left").click()
    page.get_by_text("could not be saved: Simulated failure.").wait_for()
    screenshot(page)

    assert dom_order(page) == STATUSES
    assert server_order(live_server.app) == STATUSES
    assert page.locator("[data-board-message]").get_attribute("aria-live") == "polite"


def test_a_status_deleted_elsewhere_makes_the_save_fail_and_the_board_catch_up(
        board, live_server, pipeline):
    page = board
    with live_server.app.app_context():
        services.delete_status(pipeline["Won"])
    page.get_by_role("button", name="Move Qualified left").click()
    page.get_by_text("could not be saved").wait_for()

    assert dom_order(page) == ["New", "Contacted", "Qualified"]
    assert server_order(live_server.app) == ["New", "Contacted", "Qualified"]


def test_dragging_a_lead_card_to_another_column_moves_the_lead(board, live_server, pipeline,
                                                               screenshot):
    page = board
    card = page.locator("[data-lead-id]", has_text="Ada Byrne")
    target = page.locator(f'[data-status-id="{pipeline["Qualified"]}"] [data-lead-list]')
    with page.expect_response(lambda r: "/leads/" in r.url and r.request.method == "PATCH") \
            as answer:
        card.drag_to(target)
    assert answer.value.status == 200
    page.get_by_text("Saved: Ada Byrne is now number 1 in Qualified.").wait_for()
    screenshot(page)

    assert dom_cards(page, pipeline["Qualified"]) == ["Ada Byrne"]
    assert dom_cards(page, pipeline["New"]) == ["Tomás Ruiz"]
    columns = server_columns(live_server.app)
    assert columns["Qualified"] == ["Ada Byrne"]
    assert columns["New"] == ["Tomás Ruiz"]


def test_card_buttons_move_a_lead_within_and_between_columns(board, live_server, pipeline):
    page = board
    page.get_by_role("button", name="Move Tomás Ruiz up").click()
    page.get_by_text("Saved: Tomás Ruiz is now number 1 in New.").wait_for()
    page.get_by_role("button", name="Move Tomás Ruiz right").click()
    page.get_by_text("Saved: Tomás Ruiz is now number 1 in Contacted.").wait_for()

    assert dom_cards(page, pipeline["New"]) == ["Ada Byrne"]
    assert dom_cards(page, pipeline["Contacted"]) == ["Tomás Ruiz", "Mei Chen"]
    columns = server_columns(live_server.app)
    assert columns["New"] == ["Ada Byrne"]
    assert columns["Contacted"] == ["Tomás Ruiz", "Mei Chen"]


def test_the_board_fits_a_phone(board, live_server, screenshot):
    page = board
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    screenshot(page, "phone")
    # The board scrolls sideways inside itself; the page does not.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_role("button", name="Move New right").is_visible()


def test_add_rename_and_delete_statuses_on_the_page(board, live_server, pipeline):
    page = board
    page.get_by_label("New status").fill("Negotiation")
    page.get_by_role("button", name="Add status").click()
    page.get_by_text("Added the status Negotiation.").wait_for()
    assert dom_order(page)[-1] == "Negotiation"
    assert server_order(live_server.app)[-1] == "Negotiation"

    page.get_by_role("button", name="Rename Negotiation").click()
    dialog = page.get_by_role("dialog", name="Rename status")
    dialog.get_by_label("Name").fill("Negotiating")
    dialog.get_by_role("button", name="Save").click()
    page.get_by_text("Renamed to Negotiating.").wait_for()
    assert server_order(live_server.app)[-1] == "Negotiating"

    # A status holding leads asks where they should go.
    page.get_by_role("button", name="Delete New").click()
    dialog = page.get_by_role("dialog", name="Delete status")
    dialog.get_by_text("New holds 2 leads. Where should they go?").wait_for()
    dialog.get_by_label("Move its leads to").select_option(label="Won")
    dialog.get_by_role("button", name="Delete status").click()
    page.get_by_text("Deleted New; its leads moved to Won.").wait_for()

    assert dom_order(page) == ["Contacted", "Qualified", "Won", "Negotiating"]
    assert server_order(live_server.app) == ["Contacted", "Qualified", "Won", "Negotiating"]
    assert dom_cards(page, pipeline["Won"]) == ["Ada Byrne", "Tomás Ruiz"]
    assert server_columns(live_server.app)["Won"] == ["Ada Byrne", "Tomás Ruiz"]
