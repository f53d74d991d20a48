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
})();
