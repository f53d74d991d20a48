"""The lead board in real Chromium: dragging columns and cards, their button alternatives,
and a failed save that puts the board back as the server has it."""

import json

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.leads import services
from shop.leads.models import Lead, LeadStatus

pytestmark = pytest.mark.browser

STATUSES = ["New", "Contacted", "Qualified", "Won"]


@pytest.fixture
def pipeline(app):
    """Four statuses; two leads in New, one in Contacted. Returns {name: id}."""
    with app.app_context():
        ids = {name: services.create_status(name).id for name in STATUSES}
        services.create_lead(dict(name="Ada Byrne", company="Northwind"), ids["New"])
        services.create_lead(dict(name="Tomás Ruiz", company="Ruiz Deli"), ids["New"])
        services.create_lead(dict(name="Mei Chen", value_in_cents=150000),
                             ids["Contacted"])
    return ids


@pytest.fixture
def board(live_server, make_user, logged_in_as, pipeline, page):
    """A staff member (logged in by cookie: these tests are not about logging in), looking
    at /staff/leads."""
    make_user("sales@example.com", staff=True)
    logged_in_as("sales@example.com")
    # No sliding animations: screenshots show where things landed.
    page.emulate_media(reduced_motion="reduce")
    page.goto(live_server.url + "/staff/leads")
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


# --- adding, editing and deleting leads on the page -------------------------------------------

def server_leads(app) -> list[dict]:
    """Every lead as GET /leads has it: by status, then position."""
    with app.app_context():
        leads = [{"name": lead.name, "email": lead.email, "company": lead.company,
                  "valueInCents": lead.value_in_cents, "statusId": lead.status_id,
                  "position": lead.position} for lead in services.list_leads()]
        db.session.remove()
        return leads


def server_lead(app, name: str) -> dict | None:
    return next((lead for lead in server_leads(app) if lead["name"] == name), None)


def focused_label(page) -> str | None:
    return page.evaluate("document.activeElement?.getAttribute('aria-label')")


def tab_to(page, element_id: str) -> None:
    """Press Tab until the element with this id has the focus (the form's other fields, if
    any, are passed over), failing if it never does."""
    for _ in range(20):
        if page.evaluate("document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == element_id


def count_badge(page, status_id: int) -> str:
    return page.locator(f'[data-status-id="{status_id}"] [data-count]').inner_text()


def card(page, name: str):
    return page.locator("[data-lead-id]", has=page.locator(".lead-name", has_text=name))


def test_adding_a_lead_through_the_dialog_puts_it_in_that_column(board, live_server, pipeline,
                                                                 screenshot):
    page = board
    page.get_by_role("button", name="Add lead to Qualified").click()
    dialog = page.get_by_role("dialog", name="Add lead to Qualified")
    dialog.get_by_label("Name").fill("Grace Hopper")
    dialog.get_by_label("Email").fill("grace@example.com")
    dialog.get_by_label("Company").fill("Navy Labs")
    dialog.get_by_label("Value").fill("1234.56")
    screenshot(page, "dialog")
    with page.expect_response(lambda r: r.url.endswith("/leads")
                              and r.request.method == "POST") as answer:
        dialog.get_by_role("button", name="Save").click()
    assert answer.value.status == 201
    page.get_by_text("Added Grace Hopper to Qualified.").wait_for()
    screenshot(page, "board")

    assert not dialog.is_visible()
    assert focused_label(page) == "Add lead to Qualified"
    assert dom_cards(page, pipeline["Qualified"]) == ["Grace Hopper"]
    assert card(page, "Grace Hopper").locator('[data-field="value"]').inner_text() == "$1,234.56"
    assert count_badge(page, pipeline["Qualified"]) == "1"
    assert server_lead(live_server.app, "Grace Hopper") == {
        "name": "Grace Hopper", "email": "grace@example.com", "company": "Navy Labs",
        "valueInCents": 123456, "statusId": pipeline["Qualified"], "position": 1}

    page.reload()
    assert dom_cards(page, pipeline["Qualified"]) == ["Grace Hopper"]
    assert card(page, "Grace Hopper").locator('[data-field="value"]').inner_text() == "$1,234.56"


def test_amounts_become_exact_cents_and_a_bad_amount_is_refused_on_the_page(board, live_server,
                                                                            pipeline):
    page = board
    # 19.99 * 100 is 1998.9999999999998 in floating point: the page must not multiply floats.
    amounts = {"19.99": 1999, "0.1": 10, "1,500.05": 150005, "1500": 150000, "": 0,
               "4.35": 435}
    for index, (text, cents) in enumerate(amounts.items()):
        page.get_by_role("button", name="Add lead to Won").click()
        dialog = page.get_by_role("dialog", name="Add lead to Won")
        dialog.get_by_label("Name").fill(f"Lead {index}")
        dialog.get_by_label("Value").fill(text)
        dialog.get_by_role("button", name="Save").click()
        page.get_by_text(f"Added Lead {index} to Won.").wait_for()
        assert server_lead(live_server.app, f"Lead {index}")["valueInCents"] == cents, text

    sent = []
    page.on("request", lambda r: sent.append(r) if r.method == "POST" else None)
    page.get_by_role("button", name="Add lead to Won").click()
    dialog = page.get_by_role("dialog", name="Add lead to Won")
    dialog.get_by_label("Name").fill("Too precise")
    dialog.get_by_label("Value").fill("12.345")
    dialog.get_by_role("button", name="Save").click()
    dialog.get_by_text("at most two after the point").wait_for()
    assert dialog.get_by_label("Value").get_attribute("aria-invalid") == "true"
    assert sent == []
    assert server_lead(live_server.app, "Too precise") is None
    assert len(dom_cards(page, pipeline["Won"])) == len(amounts)


def test_editing_a_lead_saves_what_changed_and_updates_its_card(board, live_server, pipeline):
    page = board
    page.get_by_role("button", name="Edit Mei Chen").click()
    dialog = page.get_by_role("dialog", name="Edit Mei Chen")
    assert dialog.get_by_label("Name").input_value() == "Mei Chen"
    assert dialog.get_by_label("Value").input_value() == "1500.00"
    dialog.get_by_label("Name").fill("Mei Chen-Lin")
    dialog.get_by_label("Value").fill("2000.10")
    with page.expect_response(lambda r: "/leads/" in r.url
                              and r.request.method == "PATCH") as answer:
        dialog.get_by_label("Value").press("Enter")
    assert answer.value.status == 200
    # Only the changed fields go to the server, so an edit never undoes someone else's.
    assert json.loads(answer.value.request.post_data) == {"name": "Mei Chen-Lin",
                                                          "valueInCents": 200010}
    page.get_by_text("Saved Mei Chen-Lin.").wait_for()

    assert focused_label(page) == "Edit Mei Chen-Lin"
    assert dom_cards(page, pipeline["Contacted"]) == ["Mei Chen-Lin"]
    assert card(page, "Mei Chen-Lin").locator('[data-field="value"]').inner_text() == "$2,000.10"
    assert server_lead(live_server.app, "Mei Chen-Lin") == {
        "name": "Mei Chen-Lin", "email": None, "company": None, "valueInCents": 200010,
        "statusId": pipeline["Contacted"], "position": 1}

    page.reload()
    assert dom_cards(page, pipeline["Contacted"]) == ["Mei Chen-Lin"]
    assert card(page, "Mei Chen-Lin").locator('[data-field="value"]').inner_text() == "$2,000.10"


def test_deleting_a_lead_asks_first_and_closes_the_gap(board, live_server, pipeline):
    page = board
    with live_server.app.app_context():
        services.create_lead(dict(name="Olu Ade"), pipeline["New"])
    page.reload()
    assert dom_cards(page, pipeline["New"]) == ["Ada Byrne", "Tomás Ruiz", "Olu Ade"]

    page.get_by_role("button", name="Edit Tomás Ruiz").click()
    page.get_by_role("dialog", name="Edit Tomás Ruiz").get_by_role(
        "button", name="Delete lead").click()
    confirm = page.get_by_role("dialog", name="Delete this lead?")
    confirm.get_by_text("Delete Tomás Ruiz from New? This cannot be undone.").wait_for()
    # Keeping it changes nothing and goes back to the edit dialog.
    confirm.get_by_role("button", name="Keep it").click()
    confirm.wait_for(state="hidden")
    page.wait_for_function("document.activeElement.textContent === 'Delete lead'")
    assert server_lead(live_server.app, "Tomás Ruiz") is not None

    page.get_by_role("button", name="Delete lead").click()
    with page.expect_response(lambda r: "/leads/" in r.url
                              and r.request.method == "DELETE") as answer:
        confirm.get_by_role("button", name="Yes, delete").click()
    assert answer.value.status == 204
    page.get_by_text("Deleted Tomás Ruiz from New.").wait_for()

    assert focused_label(page) == "Add lead to New"
    assert dom_cards(page, pipeline["New"]) == ["Ada Byrne", "Olu Ade"]
    assert count_badge(page, pipeline["New"]) == "2"
    assert server_lead(live_server.app, "Tomás Ruiz") is None
    in_new = [lead for lead in server_leads(live_server.app)
              if lead["statusId"] == pipeline["New"]]
    assert [(lead["name"], lead["position"]) for lead in in_new] == [("Ada Byrne", 1),
                                                                      ("Olu Ade", 2)]


def test_a_lead_the_server_refuses_is_explained_in_the_dialog_and_not_created(board,
                                                                              live_server,
                                                                              pipeline):
    page = board
    before = server_leads(live_server.app)
    page.get_by_role("button", name="Add lead to New").click()
    dialog = page.get_by_role("dialog", name="Add lead to New")
    # Spaces pass the field's `required`, so only the server can refuse them.
    dialog.get_by_label("Name").fill("   ")
    dialog.get_by_label("Value").fill("10")
    with page.expect_response(lambda r: r.url.endswith("/leads")
                              and r.request.method == "POST") as answer:
        dialog.get_by_role("button", name="Save").click()
    assert answer.value.status == 400
    dialog.get_by_role("alert").get_by_text("Some fields of the lead are not valid.").wait_for()
    assert page.locator("#lead-name-error").inner_text() == "Must be a non-empty string."
    assert dialog.get_by_label("Name").get_attribute("aria-invalid") == "true"
    assert dialog.is_visible()

    assert server_leads(live_server.app) == before
    assert dom_cards(page, pipeline["New"]) == ["Ada Byrne", "Tomás Ruiz"]

    # Corrected, the same dialog saves.
    dialog.get_by_label("Name").fill("Nia Okafor")
    dialog.get_by_role("button", name="Save").click()
    page.get_by_text("Added Nia Okafor to New.").wait_for()
    assert server_lead(live_server.app, "Nia Okafor")["statusId"] == pipeline["New"]


def test_editing_a_lead_deleted_elsewhere_redraws_the_board_from_the_server(board, live_server,
                                                                            pipeline):
    page = board
    with live_server.app.app_context():
        ada = next(lead for lead in services.list_leads() if lead.name == "Ada Byrne")
        services.delete_lead(ada.id)
    page.get_by_role("button", name="Edit Ada Byrne").click()
    dialog = page.get_by_role("dialog", name="Edit Ada Byrne")
    dialog.get_by_label("Company").fill("Southwind")
    dialog.get_by_role("button", name="Save").click()
    page.get_by_text("The changes to Ada Byrne could not be saved").wait_for()
    assert "The board shows the server's state again." in page.locator(
        "[data-board-message]").inner_text()

    assert not dialog.is_visible()
    assert focused_label(page) == "Add lead to New"
    assert dom_cards(page, pipeline["New"]) == ["Tomás Ruiz"]
    assert server_lead(live_server.app, "Ada Byrne") is None
    assert [lead["name"] for lead in server_leads(live_server.app)
            if lead["statusId"] == pipeline["New"]] == ["Tomás Ruiz"]


def test_a_failed_save_of_a_new_lead_shows_the_server_state_and_says_so(board, live_server,
                                                                        pipeline):
    page = board

    def refuse(route):
        if route.request.method == "POST":
            route.fulfill(status=500, content_type="application/problem+json",
                          body=json.dumps({"type": "about:blank", "title": "Internal Server Error",
                                           "status": 500, "detail": "Simulated failure."}))
        else:
            route.continue_()

    page.route("**/leads", refuse)
    page.get_by_role("button", name="Add lead to Contacted").click()
    dialog = page.get_by_role("dialog", name="Add lead to Contacted")
    dialog.get_by_label("Name").fill("Ivo Lenz")
    dialog.get_by_role("button", name="Save").click()
    page.get_by_text("The new lead Ivo Lenz could not be saved: Simulated failure. "
                     "The board shows the server's state again.").wait_for()

    assert dom_cards(page, pipeline["Contacted"]) == ["Mei Chen"]
    assert server_lead(live_server.app, "Ivo Lenz") is None
    assert focused_label(page) == "Add lead to Contacted"


def test_a_lead_can_be_added_with_the_keyboard_alone(board, live_server, pipeline):
    page = board
    for _ in range(200):
        if focused_label(page) == "Add lead to Won":
            break
        page.keyboard.press("Tab")
    assert focused_label(page) == "Add lead to Won"

    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Add lead to Won")
    dialog.wait_for()
    # Escape closes without saving and hands focus back.
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    page.wait_for_function("document.activeElement.ariaLabel === 'Add lead to Won'")

    page.keyboard.press("Enter")
    dialog.wait_for()
    assert page.evaluate("document.activeElement.id") == "lead-name"
    page.keyboard.type("Lin Park")
    tab_to(page, "lead-email")
    page.keyboard.type("lin@example.com")
    tab_to(page, "lead-company")
    page.keyboard.type("Park & Co")
    tab_to(page, "lead-value")
    page.keyboard.type("99.95")
    page.keyboard.press("Enter")
    page.get_by_text("Added Lin Park to Won.").wait_for()

    assert focused_label(page) == "Add lead to Won"
    assert dom_cards(page, pipeline["Won"]) == ["Lin Park"]
    assert server_lead(live_server.app, "Lin Park") == {
        "name": "Lin Park", "email": "lin@example.com", "company": "Park & Co",
        "valueInCents": 9995, "statusId": pipeline["Won"], "position": 1}
    # The dialog left with Escape created nothing.
    assert [lead["name"] for lead in server_leads(live_server.app)
            if lead["statusId"] == pipeline["Won"]] == ["Lin Park"]


@pytest.mark.browser_context_args(locale="de-DE")
def test_an_amount_reads_the_same_before_and_after_an_edit_in_a_german_browser(board):
    """The page, not the browser's language, says how money reads (SHOP_LOCALE, en_US here):
    the server's text on load and the script's after an edit agree."""
    page = board
    assert page.evaluate("navigator.language") == "de-DE"
    value = card(page, "Mei Chen").locator('[data-field="value"]')
    assert value.inner_text() == "$1,500.00"
    page.get_by_role("button", name="Edit Mei Chen").click()
    dialog = page.get_by_role("dialog", name="Edit Mei Chen")
    dialog.get_by_label("Company").fill("Chen & Co")
    dialog.get_by_role("button", name="Save").click()
    page.get_by_text("Saved Mei Chen.").wait_for()
    assert card(page, "Mei Chen").locator('[data-field="company"]').inner_text() == "Chen & Co"
    assert value.inner_text() == "$1,500.00"


@pytest.mark.parametrize("app_config", [{"SHOP_LOCALE": "de_DE", "SHOP_CURRENCY": "eur"}],
                         indirect=True)
def test_a_german_shop_writes_euros_the_german_way_on_load_and_after_an_edit(board):
    page = board
    value = card(page, "Mei Chen").locator('[data-field="value"]')
    assert value.inner_text() == "1.500,00\u00a0€"
    page.get_by_role("button", name="Edit Mei Chen").click()
    dialog = page.get_by_role("dialog", name="Edit Mei Chen")
    dialog.get_by_label("Value").fill("2000.10")
    dialog.get_by_role("button", name="Save").click()
    page.get_by_text("Saved Mei Chen.").wait_for()
    assert value.inner_text() == "2.000,10\u00a0€"
    page.reload()
    assert card(page, "Mei Chen").locator('[data-field="value"]').inner_text() == "2.000,10\u00a0€"
