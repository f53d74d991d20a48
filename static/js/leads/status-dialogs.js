/* Adding, renaming and deleting statuses (the board's columns). */
import { call, fillUrl } from "../api.js";
import { dialogParts } from "./dialogs.js";
import { cardsOf, labelColumn, nameOfColumn, statusIdOf } from "./view.js";

/** The "New status" form above the board. */
export function wireAddStatus(view, saver, form) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = form.elements.name;
    const name = input.value.trim();
    if (!name) return;
    saver.enqueue(async () => {
      try {
        const status = await call("POST", saver.urls.statuses, { name });
        view.board.appendChild(view.newColumn(status));
        view.updateCounts();
        input.value = "";
        saver.announce(`Added the status ${status.name}.`);
      } catch (error) {
        await saver.recover(`The status ${name}`, error);
      }
    });
  });
}

/** The rename dialog; returns open(column). */
export function renameDialog(view, saver, dialog) {
  const { form, error } = dialogParts(dialog);
  let renaming = null;  // the column the open dialog renames

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const column = renaming;
    try {
      const url = fillUrl(saver.urls.status, { id: statusIdOf(column) });
      const status = await call("PATCH", url, { name: form.elements.name.value });
      labelColumn(column, status);
      dialog.close();
      column.querySelector("[data-rename-status]").focus();
      saver.announce(`Renamed to ${status.name}.`);
    } catch (failure) {
      error.textContent = failure.message;
      if (failure.status === 404) {
        dialog.close();
        await saver.recover("The new name", failure);
      }
    }
  });

  return function open(column) {
    renaming = column;
    error.textContent = "";
    form.elements.name.value = nameOfColumn(column);
    dialog.showModal();
    form.elements.name.select();
  };
}

/** The delete dialog, which asks where a column's leads go; returns open(column). */
export function deleteDialog(view, saver, dialog) {
  const { form, error } = dialogParts(dialog);
  const moveField = dialog.querySelector("[data-move-field]");
  const question = dialog.querySelector("[data-delete-question]");
  const submit = dialog.querySelector('button[type="submit"]');
  let deleting = null;  // the column the open dialog deletes

  function open(column) {
    deleting = column;
    const name = nameOfColumn(column);
    const count = cardsOf(column).length;
    const others = view.columns().filter((c) => c !== column);
    error.textContent = "";
    const select = form.elements.moveLeadsTo;
    select.replaceChildren(...others.map((other) => new Option(nameOfColumn(other), other.dataset.statusId)));
    if (count > 0) {
      question.textContent = `${name} holds ${count} lead${count === 1 ? "" : "s"}. Where should ${count === 1 ? "it" : "they"} go?`;
      moveField.hidden = false;
      select.required = true;
    } else {
      question.textContent = `Delete the empty status ${name}?`;
      moveField.hidden = true;
      select.required = false;
    }
    submit.disabled = count > 0 && others.length === 0;
    if (count > 0 && others.length === 0) {
      error.textContent = "Add another status first: its leads need somewhere to go.";
    }
    dialog.showModal();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const column = deleting;
    const name = nameOfColumn(column);
    const moveTo = moveField.hidden ? null : form.elements.moveLeadsTo.value;
    const url = new URL(fillUrl(saver.urls.status, { id: statusIdOf(column) }), window.location.href);
    if (moveTo) url.searchParams.set("moveLeadsTo", moveTo);
    try {
      await call("DELETE", url.pathname + url.search);
      dialog.close();
      await saver.refreshFromServer();
      saver.announce(moveTo ? `Deleted ${name}; its leads moved to ${nameOfColumn(view.findColumn(moveTo))}.` : `Deleted ${name}.`);
    } catch (failure) {
      if (failure.status === 409) {
        // Someone added leads meanwhile: ask again, now with a target.
        await saver.refreshFromServer();
        const current = view.findColumn(statusIdOf(column));
        if (current) {
          open(current);
          error.textContent = failure.message;
        } else {
          dialog.close();
        }
      } else {
        dialog.close();
        await saver.recover(`Deleting ${name}`, failure);
      }
    }
  });

  return open;
}
