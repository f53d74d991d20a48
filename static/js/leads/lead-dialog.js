/* Adding, editing and deleting leads in the lead dialog. The fields are the form's inputs
 * marked data-lead-field, each named as the API's lead field it edits; an input marked
 * data-format="money" edits an amount in cents, typed as 1500.00. */
import { call, fillUrl, problemText } from "../api.js";
import { minorDigits } from "../money.js";
import { dialogParts, setBusy } from "./dialogs.js";
import { columnOf, labelCard, leadOf, nameOfColumn, statusIdOf } from "./view.js";

const NUMBER_WORDS = ["no", "one", "two", "three"];

/** "1500", "1500.5", "1,500.00" → integer minor units, read digit by digit (no float
 * arithmetic); "" → 0; anything else (negative, too many decimals, letters) → null. */
export function parseAmount(text, digits = minorDigits()) {
  const match = /^(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!match) return null;
  if (!/\d/.test(text)) return text.trim() === "" ? 0 : null;
  const fraction = match[2] || "";
  if (fraction.length > digits) return null;
  const whole = match[1].replace(/,/g, "") || "0";
  if (whole.length > 13) return null;  // keeps the product exact; the server caps lower
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, "0") || "0");
}

/** Minor units as the text the amount input takes: 150000 → "1500.00". */
export function amountText(units, digits = minorDigits()) {
  if (digits === 0) return String(units);
  const scale = 10 ** digits;
  return `${Math.floor(units / scale)}.${String(units % scale).padStart(digits, "0")}`;
}

export function leadDialog(view, saver, dialog, deleteDialogElement) {
  const form = dialog.querySelector("form");
  const title = dialog.querySelector("#lead-dialog-title");
  const inputs = Array.from(form.querySelectorAll("[data-lead-field]"));
  const fieldNames = inputs.map((input) => input.name);
  const deleteButton = form.querySelector("[data-delete-lead]");
  // What the dialog works on: {statusId, leadId (null when adding), name, original, invoker}.
  let editing = null;

  const isMoney = (input) => input.dataset.format === "money";
  const inputText = (input, value) => (isMoney(input) ? amountText(Number(value) || 0) : (value ?? ""));

  function showFieldErrors(errors) {
    let first = null;
    for (const input of inputs) {
      const found = errors.find((e) => e.field === input.name);
      const place = form.querySelector(`[data-field-error="${input.name}"]`);
      if (place) place.textContent = found ? found.message : "";
      if (found) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
      if (found && !first) first = input;
    }
    return first;
  }

  /** The form's values as the API takes them; null when an amount cannot be read. */
  function readFields() {
    const fields = {};
    for (const input of inputs) {
      if (isMoney(input)) {
        const units = parseAmount(input.value);
        if (units === null) {
          const digits = minorDigits();
          const example = amountText(150000, digits);
          const most = digits === 0 ? "no decimals" : `at most ${NUMBER_WORDS[digits] || digits} after the point`;
          showFieldErrors([{ field: input.name, message: `Enter an amount like ${example}: digits, ${most}.` }]);
          dialogParts(dialog).error.textContent = "";
          input.focus();
          return null;
        }
        fields[input.name] = units;
      } else if (input.required) {
        fields[input.name] = input.value;
      } else {
        fields[input.name] = input.value.trim() || null;
      }
    }
    return fields;
  }

  function open(column, card, invoker) {
    const adding = !card;
    const lead = adding ? {} : leadOf(card);
    const original = Object.fromEntries(inputs.map((input) => [input.name, lead[input.name] ?? null]));
    editing = {
      statusId: statusIdOf(column), leadId: adding ? null : lead.id,
      name: lead.name || "", original, invoker,
    };
    title.textContent = adding ? title.dataset.addTitle.replaceAll("{name}", nameOfColumn(column))
      : title.dataset.editTitle.replaceAll("{name}", lead.name);
    for (const input of inputs) input.value = adding ? "" : inputText(input, lead[input.name]);
    showFieldErrors([]);
    dialogParts(dialog).error.textContent = "";
    deleteButton.hidden = adding;
    dialog.showModal();
    inputs[0].focus();
  }

  // Focus goes back to the button that opened the dialog, or, when that card is gone, to its
  // column's "Add lead". Done at once when the script closes the dialogs (their close events
  // come later), and again on close for Escape and Cancel.
  function returnFocus() {
    const invoker = editing && editing.invoker;
    const column = editing && view.findColumn(editing.statusId);
    if (invoker && document.contains(invoker)) invoker.focus();
    else if (column) column.querySelector("[data-add-lead]").focus();
  }
  dialog.addEventListener("close", returnFocus);
  function closeAll() {
    deleteDialogElement.close();
    dialog.close();
    returnFocus();
  }

  /* A refusal about the lead's own fields stays in the dialog; anything else (the lead or its
   * column gone, a server error) closes it and redraws the board as the server has it. */
  async function failed(what, failure) {
    const errors = (failure.problem && failure.problem.errors) || [];
    const fieldProblem = failure.status === 400 || (failure.status === 422
      && errors.some((e) => fieldNames.includes(e.field)));
    if (fieldProblem) {
      const first = showFieldErrors(errors);
      dialogParts(dialog).error.textContent = problemText(failure.problem, failure.message);
      (first || inputs[0]).focus();
      return;
    }
    closeAll();
    await saver.recover(what, failure);
    returnFocus();  // the redraw may have taken the card, and its Edit button, away
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const job = editing;
    const fields = readFields();
    if (fields === null) return;
    if (job.leadId !== null) {
      // Send only what changed, so that an edit never undoes someone else's change.
      for (const name of fieldNames) {
        if ((fields[name] ?? "") === (job.original[name] ?? "")) delete fields[name];
      }
    }
    setBusy(form, true);
    saver.enqueue(async () => {
      try {
        if (job.leadId === null) {
          const lead = await call("POST", saver.urls.leads, { ...fields, statusId: job.statusId });
          const column = view.findColumn(lead.statusId);
          const card = view.newCard();
          labelCard(card, lead);
          view.listOf(column).appendChild(card);
          view.updateCounts();
          closeAll();
          saver.announce(`Added ${lead.name} to ${nameOfColumn(column)}.`);
        } else {
          const lead = await call("PATCH", fillUrl(saver.urls.lead, { id: job.leadId }), fields);
          const card = view.findCard(lead.id);
          if (card && statusIdOf(columnOf(card)) === lead.statusId) labelCard(card, lead);
          else await saver.refreshFromServer();
          closeAll();
          saver.announce(`Saved ${lead.name}.`);
        }
      } catch (failure) {
        const name = (fields.name || "").trim();
        await failed(job.leadId === null ? `The new lead ${name}` : `The changes to ${job.name}`, failure);
      } finally {
        setBusy(form, false);
      }
    });
  });

  deleteButton.addEventListener("click", () => {
    const card = view.findCard(editing.leadId);
    const where = card ? ` from ${nameOfColumn(columnOf(card))}` : "";
    deleteDialogElement.querySelector("[data-delete-question]").textContent =
      `Delete ${editing.name}${where}? This cannot be undone.`;
    dialogParts(deleteDialogElement).error.textContent = "";
    deleteDialogElement.showModal();
  });
  deleteDialogElement.addEventListener("close", () => {
    if (dialog.open) deleteButton.focus();
  });

  deleteDialogElement.querySelector("form").addEventListener("submit", (event) => {
    event.preventDefault();
    const job = editing;
    const deleteForm = event.target;
    setBusy(deleteForm, true);
    saver.enqueue(async () => {
      try {
        const card = view.findCard(job.leadId);
        const column = card && columnOf(card);
        await call("DELETE", fillUrl(saver.urls.lead, { id: job.leadId }));
        // The server closes the gap in the column's positions; the cards' order already has.
        if (card) card.remove();
        view.updateCounts();
        closeAll();
        saver.announce(column ? `Deleted ${job.name} from ${nameOfColumn(column)}.` : `Deleted ${job.name}.`);
      } catch (failure) {
        await failed(`Deleting ${job.name}`, failure);
      } finally {
        setBusy(deleteForm, false);
      }
    });
  });

  return open;
}
