/* The lead board on /staff/leads. Every change goes through the JSON API (PUT
 * /leads/statuses/order, PATCH /leads/{id}, …); when one fails, the board is redrawn as the
 * server has it, so what the page shows is never a state the server refused. */
(function () {
  "use strict";

  const board = document.querySelector("[data-board]");
  if (!board) return;
  const message = document.querySelector("[data-board-message]");
  const money = new Intl.NumberFormat(undefined, {
    style: "currency", currency: (board.dataset.currency || "usd").toUpperCase(),
  });
  // Sliding columns and cards around is motion some people ask their system to spare them.
  const animation = window.matchMedia("(prefers-reduced-motion: reduce)").matches ? 0 : 150;
  const columnTemplate = document.getElementById("status-column-template");
  const cardTemplate = document.getElementById("lead-card-template");

  // Saves run one after another, in the order the user made them.
  let queue = Promise.resolve();
  function enqueue(task) {
    queue = queue.then(task, task);
    return queue;
  }

  // --- talking to the server ---------------------------------------------------------------

  // Resolves to the answer's data; a refusal throws an Error with .status and .problem.
  const api = window.shopApi.call;

  function announce(text, isError) {
    message.textContent = text;
    message.classList.toggle("is-error", Boolean(isError));
  }

  // --- reading and drawing the board -------------------------------------------------------

  const columns = () => Array.from(board.querySelectorAll(":scope > [data-status-id]"));
  const columnOf = (el) => el.closest("[data-status-id]");
  const statusIdOf = (column) => Number(column.dataset.statusId);
  const nameOfColumn = (column) => column.querySelector(".column-title").textContent.trim();
  const cardsOf = (column) => Array.from(column.querySelectorAll("[data-lead-list] > [data-lead-id]"));
  const nameOfCard = (card) => card.querySelector(".lead-name").textContent.trim();
  const findColumn = (id) => board.querySelector(`:scope > [data-status-id="${id}"]`);
  const findCard = (id) => board.querySelector(`[data-lead-id="${id}"]`);

  function labelColumn(column, status) {
    const headingId = `status-${status.id}-name`;
    column.dataset.statusId = status.id;
    column.setAttribute("aria-labelledby", headingId);
    const title = column.querySelector(".column-title");
    title.id = headingId;
    title.textContent = status.name;
    column.querySelector("[data-lead-list]").setAttribute("aria-labelledby", headingId);
    column.querySelector('[data-move-column="left"]').setAttribute("aria-label", `Move ${status.name} left`);
    column.querySelector('[data-move-column="right"]').setAttribute("aria-label", `Move ${status.name} right`);
    column.querySelector("[data-rename-status]").setAttribute("aria-label", `Rename ${status.name}`);
    column.querySelector("[data-delete-status]").setAttribute("aria-label", `Delete ${status.name}`);
    column.querySelector("[data-add-lead]").setAttribute("aria-label", `Add lead to ${status.name}`);
  }

  function labelCard(card, lead) {
    const nameId = `lead-${lead.id}-name`;
    card.dataset.leadId = lead.id;
    card.setAttribute("aria-labelledby", nameId);
    const name = card.querySelector(".lead-name");
    name.id = nameId;
    name.textContent = lead.name;
    card.querySelector('[data-field="company"]').textContent = lead.company || "";
    card.querySelector('[data-field="value"]').textContent = money.format(lead.valueInCents / 100);
    card.dataset.email = lead.email || "";
    card.dataset.valueInCents = lead.valueInCents;
    card.querySelector("[data-edit-lead]").setAttribute("aria-label", `Edit ${lead.name}`);
    card.querySelector(".card-tools").setAttribute("aria-label", `Move ${lead.name}`);
    for (const direction of ["up", "down", "left", "right"]) {
      card.querySelector(`[data-move-lead="${direction}"]`)
        .setAttribute("aria-label", `Move ${lead.name} ${direction}`);
    }
  }

  function newColumn(status) {
    const column = columnTemplate.content.firstElementChild.cloneNode(true);
    labelColumn(column, status);
    makeCardsSortable(column.querySelector("[data-lead-list]"));
    return column;
  }

  function updateCounts() {
    for (const column of columns()) {
      column.querySelector("[data-count]").textContent = cardsOf(column).length;
    }
    const empty = document.querySelector("[data-empty-board]");
    if (empty) empty.hidden = columns().length > 0;
  }

  /* Give `parent` exactly these children in this order, moving only what is out of place
   * (moving a node drops its focus, and the user may be working a button inside it). */
  function placeChildren(parent, wanted) {
    const active = document.activeElement;
    wanted.forEach((child, index) => {
      const current = parent.children[index];
      if (current !== child) parent.insertBefore(child, current || null);
    });
    while (parent.children.length > wanted.length) parent.lastElementChild.remove();
    if (active && active !== document.activeElement && document.contains(active)) active.focus();
  }

  /* Show statuses (as the API answers them) in their order, adding and removing columns. */
  function applyStatuses(statuses) {
    placeChildren(board, statuses.map((status) => {
      const column = findColumn(status.id);
      if (!column) return newColumn(status);
      if (nameOfColumn(column) !== status.name) labelColumn(column, status);
      return column;
    }));
  }

  /* Show every lead in its column at its position, adding and removing cards. */
  function applyLeads(leads) {
    const byColumn = new Map(columns().map((column) => [column.dataset.statusId, []]));
    const sorted = leads.slice().sort((a, b) => a.position - b.position || a.id - b.id);
    for (const lead of sorted) {
      const wanted = byColumn.get(String(lead.statusId));
      if (!wanted) continue;
      let card = findCard(lead.id);
      if (!card) card = cardTemplate.content.firstElementChild.cloneNode(true);
      labelCard(card, lead);
      wanted.push(card);
    }
    for (const column of columns()) {
      placeChildren(column.querySelector("[data-lead-list]"), byColumn.get(column.dataset.statusId));
    }
  }

  /* Redraw the whole board as the server has it now. */
  async function refreshFromServer() {
    const [statuses, leads] = await Promise.all([
      api("GET", "/leads/statuses"), api("GET", "/leads"),
    ]);
    applyStatuses(statuses);
    applyLeads(leads);
    updateCounts();
  }

  async function recover(what, error) {
    try {
      await refreshFromServer();
      announce(`${what} could not be saved: ${error.message} The board shows the server's state again.`, true);
    } catch (refreshError) {
      announce(`${what} could not be saved: ${error.message} Reload the page to see the server's state.`, true);
    }
  }

  // --- columns -------------------------------------------------------------------------------

  function saveColumnOrder(movedName) {
    const order = columns().map((column, index) => ({ id: statusIdOf(column), statusOrder: index + 1 }));
    return enqueue(async () => {
      try {
        const statuses = await api("PUT", "/leads/statuses/order", order);
        applyStatuses(statuses);
        const place = statuses.findIndex((s) => s.name === movedName) + 1;
        announce(place > 0 ? `Saved: ${movedName} is now column ${place} of ${statuses.length}.`
          : "Saved the new column order.");
      } catch (error) {
        await recover("The new column order", error);
      }
    });
  }

  function moveColumn(column, direction) {
    const name = nameOfColumn(column);
    const sibling = direction === "left" ? column.previousElementSibling : column.nextElementSibling;
    if (!sibling || !sibling.matches("[data-status-id]")) {
      announce(`${name} is already the ${direction === "left" ? "first" : "last"} column.`);
      return;
    }
    if (direction === "left") board.insertBefore(column, sibling);
    else board.insertBefore(sibling, column);
    column.querySelector(`[data-move-column="${direction}"]`).focus();
    saveColumnOrder(name);
  }

  // --- leads ---------------------------------------------------------------------------------

  function saveLeadPlace(card) {
    const column = columnOf(card);
    const statusId = statusIdOf(column);
    const position = cardsOf(column).indexOf(card) + 1;
    const name = nameOfCard(card);
    const statusName = nameOfColumn(column);
    updateCounts();
    return enqueue(async () => {
      try {
        await api("PATCH", `/leads/${card.dataset.leadId}`, { statusId, position });
        announce(`Saved: ${name} is now number ${position} in ${statusName}.`);
      } catch (error) {
        await recover(`The move of ${name}`, error);
      }
    });
  }

  function moveLead(card, direction) {
    const column = columnOf(card);
    const list = card.parentElement;
    const name = nameOfCard(card);
    if (direction === "up" || direction === "down") {
      const sibling = direction === "up" ? card.previousElementSibling : card.nextElementSibling;
      if (!sibling) {
        announce(`${name} is already ${direction === "up" ? "first" : "last"} in ${nameOfColumn(column)}.`);
        return;
      }
      if (direction === "up") list.insertBefore(card, sibling);
      else list.insertBefore(sibling, card);
    } else {
      const all = columns();
      const target = all[all.indexOf(column) + (direction === "left" ? -1 : 1)];
      if (!target) {
        announce(`${name} is already in the ${direction === "left" ? "first" : "last"} column.`);
        return;
      }
      const targetList = target.querySelector("[data-lead-list]");
      const index = Math.min(cardsOf(column).indexOf(card), cardsOf(target).length);
      targetList.insertBefore(card, targetList.children[index] || null);
    }
    card.querySelector(`[data-move-lead="${direction}"]`).focus();
    saveLeadPlace(card);
  }

  // --- dragging (SortableJS) ------------------------------------------------------------------

  function makeCardsSortable(list) {
    Sortable.create(list, {
      group: "leads",
      animation,
      draggable: "[data-lead-id]",
      filter: "button",
      preventOnFilter: false,
      ghostClass: "is-ghost",
      chosenClass: "is-chosen",
      onEnd(event) {
        if (event.from === event.to && event.oldIndex === event.newIndex) return;
        saveLeadPlace(event.item);
      },
    });
  }

  Sortable.create(board, {
    animation,
    handle: "[data-drag-handle]",
    draggable: "[data-status-id]",
    ghostClass: "is-ghost",
    chosenClass: "is-chosen",
    onEnd(event) {
      if (event.oldIndex === event.newIndex) return;
      saveColumnOrder(nameOfColumn(event.item));
    },
  });
  board.querySelectorAll("[data-lead-list]").forEach(makeCardsSortable);

  // --- buttons ------------------------------------------------------------------------------

  board.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button || !board.contains(button)) return;
    if (button.dataset.moveColumn) moveColumn(columnOf(button), button.dataset.moveColumn);
    else if (button.dataset.moveLead) moveLead(button.closest("[data-lead-id]"), button.dataset.moveLead);
    else if (button.hasAttribute("data-rename-status")) openRename(columnOf(button));
    else if (button.hasAttribute("data-delete-status")) openDelete(columnOf(button));
    else if (button.hasAttribute("data-add-lead")) openLead(columnOf(button), null, button);
    else if (button.hasAttribute("data-edit-lead")) openLead(columnOf(button), button.closest("[data-lead-id]"), button);
  });

  // --- adding, renaming and deleting statuses ----------------------------------------------

  const addForm = document.querySelector("[data-add-status]");
  addForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = addForm.elements.name;
    const name = input.value.trim();
    if (!name) return;
    enqueue(async () => {
      try {
        const status = await api("POST", "/leads/statuses", { name });
        board.appendChild(newColumn(status));
        updateCounts();
        input.value = "";
        announce(`Added the status ${status.name}.`);
      } catch (error) {
        await recover(`The status ${name}`, error);
      }
    });
  });

  function dialogParts(dialog) {
    return { form: dialog.querySelector("form"), error: dialog.querySelector("[data-dialog-error]") };
  }

  document.querySelectorAll("[data-close-dialog]").forEach((button) => {
    button.addEventListener("click", () => button.closest("dialog").close());
  });

  const renameDialog = document.getElementById("rename-dialog");
  let renaming = null;
  function openRename(column) {
    renaming = column;
    const { form, error } = dialogParts(renameDialog);
    error.textContent = "";
    form.elements.name.value = nameOfColumn(column);
    renameDialog.showModal();
    form.elements.name.select();
  }
  renameDialog.querySelector("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const { form, error } = dialogParts(renameDialog);
    const column = renaming;
    try {
      const status = await api("PATCH", `/leads/statuses/${statusIdOf(column)}`, { name: form.elements.name.value });
      labelColumn(column, status);
      renameDialog.close();
      column.querySelector("[data-rename-status]").focus();
      announce(`Renamed to ${status.name}.`);
    } catch (failure) {
      error.textContent = failure.message;
      if (failure.status === 404) {
        renameDialog.close();
        await recover("The new name", failure);
      }
    }
  });

  const deleteDialog = document.getElementById("delete-dialog");
  let deleting = null;
  function openDelete(column) {
    deleting = column;
    const { form, error } = dialogParts(deleteDialog);
    const name = nameOfColumn(column);
    const count = cardsOf(column).length;
    const others = columns().filter((c) => c !== column);
    error.textContent = "";
    const moveField = deleteDialog.querySelector("[data-move-field]");
    const select = form.elements.moveLeadsTo;
    select.replaceChildren(...others.map((other) => new Option(nameOfColumn(other), other.dataset.statusId)));
    const question = deleteDialog.querySelector("[data-delete-question]");
    if (count > 0) {
      question.textContent = `${name} holds ${count} lead${count === 1 ? "" : "s"}. Where should ${count === 1 ? "it" : "they"} go?`;
      moveField.hidden = false;
      select.required = true;
    } else {
      question.textContent = `Delete the empty status ${name}?`;
      moveField.hidden = true;
      select.required = false;
    }
    deleteDialog.querySelector('button[type="submit"]').disabled = count > 0 && others.length === 0;
    if (count > 0 && others.length === 0) {
      error.textContent = "Add another status first: its leads need somewhere to go.";
    }
    deleteDialog.showModal();
  }
  deleteDialog.querySelector("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const { form, error } = dialogParts(deleteDialog);
    const column = deleting;
    const name = nameOfColumn(column);
    const moveTo = deleteDialog.querySelector("[data-move-field]").hidden ? null : form.elements.moveLeadsTo.value;
    const query = moveTo ? `?moveLeadsTo=${encodeURIComponent(moveTo)}` : "";
    try {
      await api("DELETE", `/leads/statuses/${statusIdOf(column)}${query}`);
      deleteDialog.close();
      await refreshFromServer();
      announce(moveTo ? `Deleted ${name}; its leads moved to ${nameOfColumn(findColumn(moveTo))}.` : `Deleted ${name}.`);
    } catch (failure) {
      if (failure.status === 409) {
        // Someone added leads meanwhile: ask again, now with a target.
        await refreshFromServer();
        const current = findColumn(statusIdOf(column));
        if (current) {
          openDelete(current);
          dialogParts(deleteDialog).error.textContent = failure.message;
        } else {
          deleteDialog.close();
        }
      } else {
        deleteDialog.close();
        await recover(`Deleting ${name}`, failure);
      }
    }
  });

  // --- adding, editing and deleting leads --------------------------------------------------

  const leadDialog = document.getElementById("lead-dialog");
  const leadForm = leadDialog.querySelector("form");
  const leadDeleteDialog = document.getElementById("lead-delete-dialog");
  // What the dialog works on: {statusId, leadId (null when adding), name, original, invoker}.
  let editing = null;

  /* "1500", "1500.5", "1,500.00" → integer cents, read digit by digit (no float arithmetic);
   * "" → 0; anything else (negative, 3 decimals, letters) → null. */
  function parseCents(text) {
    const match = /^(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d{0,2}))?$/.exec(text.trim());
    if (!match) return null;
    if (!/\d/.test(text)) return text.trim() === "" ? 0 : null;
    const whole = match[1].replace(/,/g, "") || "0";
    if (whole.length > 13) return null;  // keeps ×100 within exact integers; the server caps lower
    return Number(whole) * 100 + Number((match[2] || "").padEnd(2, "0"));
  }

  const centsText = (cents) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;

  function showFieldErrors(errors) {
    let first = null;
    for (const p of leadForm.querySelectorAll("[data-field-error]")) {
      const found = errors.find((e) => e.field === p.dataset.fieldError);
      const input = leadForm.elements[p.id.replace(/^lead-|-error$/g, "")];
      p.textContent = found ? found.message : "";
      if (found) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
      if (found && !first) first = input;
    }
    return first;
  }

  function openLead(column, card, invoker) {
    const adding = !card;
    const values = adding ? { name: "", email: "", company: "", value: "" } : {
      name: nameOfCard(card),
      email: card.dataset.email || "",
      company: card.querySelector('[data-field="company"]').textContent.trim(),
      value: centsText(Number(card.dataset.valueInCents) || 0),
    };
    editing = {
      statusId: statusIdOf(column), leadId: adding ? null : Number(card.dataset.leadId),
      name: values.name, original: values, invoker,
    };
    leadDialog.querySelector("#lead-dialog-title").textContent =
      adding ? `Add lead to ${nameOfColumn(column)}` : `Edit ${values.name}`;
    for (const [key, value] of Object.entries(values)) leadForm.elements[key].value = value;
    showFieldErrors([]);
    dialogParts(leadDialog).error.textContent = "";
    leadForm.querySelector("[data-delete-lead]").hidden = adding;
    leadDialog.showModal();
    leadForm.elements.name.focus();
  }

  // Focus goes back to the button that opened the dialog, or, when that card is gone, to its
  // column's "Add lead". Done at once when the script closes the dialogs (their close events
  // come later), and again on close for Escape and Cancel.
  function returnFocus() {
    const invoker = editing && editing.invoker;
    const column = editing && findColumn(editing.statusId);
    if (invoker && document.contains(invoker)) invoker.focus();
    else if (column) column.querySelector("[data-add-lead]").focus();
  }
  leadDialog.addEventListener("close", returnFocus);
  function closeLeadDialogs() {
    leadDeleteDialog.close();
    leadDialog.close();
    returnFocus();
  }

  function setBusy(form, busy) {
    form.setAttribute("aria-busy", String(busy));
    form.querySelectorAll("button").forEach((b) => { b.disabled = busy; });
  }

  /* A refusal about the lead's own fields stays in the dialog; anything else (the lead or its
   * column gone, a server error) closes it and redraws the board as the server has it. */
  async function leadFailed(what, failure) {
    const errors = (failure.problem && failure.problem.errors) || [];
    const fieldProblem = failure.status === 400 || (failure.status === 422
      && errors.some((e) => ["name", "email", "company", "valueInCents"].includes(e.field)));
    if (fieldProblem) {
      const first = showFieldErrors(errors);
      dialogParts(leadDialog).error.textContent = window.shopApi.problemText(failure.problem, failure.message);
      (first || leadForm.elements.name).focus();
      return;
    }
    closeLeadDialogs();
    await recover(what, failure);
    returnFocus();  // the redraw may have taken the card, and its Edit button, away
  }

  leadForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const job = editing;
    const cents = parseCents(leadForm.elements.value.value);
    if (cents === null) {
      showFieldErrors([{ field: "valueInCents", message: "Enter an amount like 1500.00: digits, at most two after the point." }]);
      dialogParts(leadDialog).error.textContent = "";
      leadForm.elements.value.focus();
      return;
    }
    const fields = {
      name: leadForm.elements.name.value,
      email: leadForm.elements.email.value.trim() || null,
      company: leadForm.elements.company.value.trim() || null,
      valueInCents: cents,
    };
    if (job.leadId !== null) {
      // Send only what changed, so that an edit never undoes someone else's change.
      const before = job.original;
      if (fields.name === before.name) delete fields.name;
      if ((fields.email || "") === before.email) delete fields.email;
      if ((fields.company || "") === before.company) delete fields.company;
      if (cents === parseCents(before.value)) delete fields.valueInCents;
    }
    setBusy(leadForm, true);
    enqueue(async () => {
      try {
        if (job.leadId === null) {
          const lead = await api("POST", "/leads", { ...fields, statusId: job.statusId });
          const column = findColumn(lead.statusId);
          const card = cardTemplate.content.firstElementChild.cloneNode(true);
          labelCard(card, lead);
          column.querySelector("[data-lead-list]").appendChild(card);
          updateCounts();
          closeLeadDialogs();
          announce(`Added ${lead.name} to ${nameOfColumn(column)}.`);
        } else {
          const lead = await api("PATCH", `/leads/${job.leadId}`, fields);
          const card = findCard(lead.id);
          if (card && statusIdOf(columnOf(card)) === lead.statusId) labelCard(card, lead);
          else await refreshFromServer();
          closeLeadDialogs();
          announce(`Saved ${lead.name}.`);
        }
      } catch (failure) {
        await leadFailed(job.leadId === null ? `The new lead ${fields.name.trim()}` : `The changes to ${job.name}`, failure);
      } finally {
        setBusy(leadForm, false);
      }
    });
  });

  leadForm.querySelector("[data-delete-lead]").addEventListener("click", () => {
    const card = findCard(editing.leadId);
    const where = card ? ` from ${nameOfColumn(columnOf(card))}` : "";
    leadDeleteDialog.querySelector("[data-delete-question]").textContent =
      `Delete ${editing.name}${where}? This cannot be undone.`;
    dialogParts(leadDeleteDialog).error.textContent = "";
    leadDeleteDialog.showModal();
  });
  leadDeleteDialog.addEventListener("close", () => {
    if (leadDialog.open) leadForm.querySelector("[data-delete-lead]").focus();
  });

  leadDeleteDialog.querySelector("form").addEventListener("submit", (event) => {
    event.preventDefault();
    const job = editing;
    const form = event.target;
    setBusy(form, true);
    enqueue(async () => {
      try {
        const card = findCard(job.leadId);
        const column = card && columnOf(card);
        await api("DELETE", `/leads/${job.leadId}`);
        // The server closes the gap in the column's positions; the cards' order already has.
        if (card) card.remove();
        updateCounts();
        closeLeadDialogs();
        announce(column ? `Deleted ${job.name} from ${nameOfColumn(column)}.` : `Deleted ${job.name}.`);
      } catch (failure) {
        await leadFailed(`Deleting ${job.name}`, failure);
      } finally {
        setBusy(form, false);
      }
    });
  });
})();
