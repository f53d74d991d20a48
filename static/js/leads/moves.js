/* Moving columns and cards, by dragging or with the arrow buttons, and saving where they went. */
import { call, fillUrl } from "../api.js";
import { cardsOf, columnOf, nameOfCard, nameOfColumn, statusIdOf } from "./view.js";

export function saveColumnOrder(view, saver, movedName) {
  const order = view.columns().map((column, index) => ({ id: statusIdOf(column), statusOrder: index + 1 }));
  return saver.enqueue(async () => {
    try {
      const statuses = await call("PUT", saver.urls.statusOrder, order);
      view.applyStatuses(statuses);
      const place = statuses.findIndex((s) => s.name === movedName) + 1;
      saver.announce(place > 0 ? `Saved: ${movedName} is now column ${place} of ${statuses.length}.`
        : "Saved the new column order.");
    } catch (error) {
      await saver.recover("The new column order", error);
    }
  });
}

export function moveColumn(view, saver, column, direction) {
  const name = nameOfColumn(column);
  const sibling = direction === "left" ? column.previousElementSibling : column.nextElementSibling;
  if (!sibling || !sibling.matches("[data-status-id]")) {
    saver.announce(`${name} is already the ${direction === "left" ? "first" : "last"} column.`);
    return;
  }
  if (direction === "left") view.board.insertBefore(column, sibling);
  else view.board.insertBefore(sibling, column);
  column.querySelector(`[data-move-column="${direction}"]`).focus();
  saveColumnOrder(view, saver, name);
}

export function saveLeadPlace(view, saver, card) {
  const column = columnOf(card);
  const statusId = statusIdOf(column);
  const position = cardsOf(column).indexOf(card) + 1;
  const name = nameOfCard(card);
  const statusName = nameOfColumn(column);
  view.updateCounts();
  return saver.enqueue(async () => {
    try {
      await call("PATCH", fillUrl(saver.urls.lead, { id: card.dataset.leadId }), { statusId, position });
      saver.announce(`Saved: ${name} is now number ${position} in ${statusName}.`);
    } catch (error) {
      await saver.recover(`The move of ${name}`, error);
    }
  });
}

export function moveLead(view, saver, card, direction) {
  const column = columnOf(card);
  const name = nameOfCard(card);
  if (direction === "up" || direction === "down") {
    const sibling = direction === "up" ? card.previousElementSibling : card.nextElementSibling;
    if (!sibling) {
      saver.announce(`${name} is already ${direction === "up" ? "first" : "last"} in ${nameOfColumn(column)}.`);
      return;
    }
    if (direction === "up") card.parentElement.insertBefore(card, sibling);
    else card.parentElement.insertBefore(sibling, card);
  } else {
    const all = view.columns();
    const target = all[all.indexOf(column) + (direction === "left" ? -1 : 1)];
    if (!target) {
      saver.announce(`${name} is already in the ${direction === "left" ? "first" : "last"} column.`);
      return;
    }
    const targetList = view.listOf(target);
    const index = Math.min(cardsOf(column).indexOf(card), cardsOf(target).length);
    targetList.insertBefore(card, targetList.children[index] || null);
  }
  card.querySelector(`[data-move-lead="${direction}"]`).focus();
  saveLeadPlace(view, saver, card);
}
