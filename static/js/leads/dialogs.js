/* What the board's dialogs share: their parts, Cancel buttons, and a busy state. */

export function dialogParts(dialog) {
  return { form: dialog.querySelector("form"), error: dialog.querySelector("[data-dialog-error]") };
}

/** Every [data-close-dialog] button closes its dialog. */
export function closeButtonsClose(root = document) {
  root.querySelectorAll("[data-close-dialog]").forEach((button) => {
    button.addEventListener("click", () => button.closest("dialog").close());
  });
}

export function setBusy(form, busy) {
  form.setAttribute("aria-busy", String(busy));
  form.querySelectorAll("button").forEach((b) => { b.disabled = busy; });
}
