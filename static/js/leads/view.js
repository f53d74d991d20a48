/* Reading and drawing the lead board: columns (statuses) and cards (leads) in the DOM, made
 * from the page's own <template> copies and labelled from the patterns the template wrote. */
import { formatMoney } from "../money.js";

/** The board element and what it can say about itself; it owns nothing but the DOM. */
export class BoardView {
  constructor(board, { columnTemplate, cardTemplate, prepareColumn }) {
    this.board = board;
    this.columnTemplate = columnTemplate;
    this.cardTemplate = cardTemplate;
    this.prepareColumn = prepareColumn;  // called with each column made here (dragging)
  }

  columns() { return Array.from(this.board.querySelectorAll(":scope > [data-status-id]")); }
  findColumn(id) { return this.board.querySelector(`:scope > [data-status-id="${id}"]`); }
  findCard(id) { return this.board.querySelector(`[data-lead-id="${id}"]`); }
  listOf(column) { return column.querySelector("[data-lead-list]"); }

  /** Show statuses (as the API answers them) in their order, adding and removing columns. */
  applyStatuses(statuses) {
    placeChildren(this.board, statuses.map((status) => {
      const column = this.findColumn(status.id);
      if (!column) return this.newColumn(status);
      if (nameOfColumn(column) !== status.name) labelColumn(column, status);
      return column;
    }));
  }

  /** Show every lead in its column at its position, adding and removing cards. */
  applyLeads(leads) {
    const byColumn = new Map(this.columns().map((column) => [column.dataset.statusId, []]));
    const sorted = leads.slice().sort((a, b) => a.position - b.position || a.id - b.id);
    for (const lead of sorted) {
      const wanted = byColumn.get(String(lead.statusId));
      if (!wanted) continue;
      const card = this.findCard(lead.id) || this.newCard();
      labelCard(card, lead);
      wanted.push(card);
    }
    for (const column of this.columns()) {
      placeChildren(this.listOf(column), byColumn.get(column.dataset.statusId));
    }
  }

  newColumn(status) {
    const column = this.columnTemplate.content.firstElementChild.cloneNode(true);
    labelColumn(column, status);
    this.prepareColumn(column);
    return column;
  }

  newCard() { return this.cardTemplate.content.firstElementChild.cloneNode(true); }

  updateCounts() {
    const columns = this.columns();
    for (const column of columns) column.querySelector("[data-count]").textContent = cardsOf(column).length;
    const empty = document.querySelector("[data-empty-board]");
    if (empty) empty.hidden = columns.length > 0;
  }
}

export const columnOf = (el) => el.closest("[data-status-id]");
export const statusIdOf = (column) => Number(column.dataset.statusId);
export const nameOfColumn = (column) => column.querySelector(".column-title").textContent.trim();
export const cardsOf = (column) => Array.from(column.querySelectorAll("[data-lead-list] > [data-lead-id]"));
/** The lead a card shows, as the API last sent it (or as the page was rendered). */
export const leadOf = (card) => JSON.parse(card.dataset.lead || "{}");
export const nameOfCard = (card) => leadOf(card).name || card.querySelector(".lead-name").textContent.trim();

/** Fill in each aria-label pattern (data-<kind>-label) of `root` with `name`. */
function label(root, kind, name) {
  const attribute = `data-${kind}-label`;
  const own = (el) => el.closest("[data-lead-id], [data-status-id]") === root;
  for (const el of root.querySelectorAll(`[${attribute}]`)) {
    if (own(el)) el.setAttribute("aria-label", el.getAttribute(attribute).replaceAll("{name}", name));
  }
}

export function labelColumn(column, status) {
  const headingId = `status-${status.id}-name`;
  column.dataset.statusId = status.id;
  column.setAttribute("aria-labelledby", headingId);
  const title = column.querySelector(".column-title");
  title.id = headingId;
  title.textContent = status.name;
  column.querySelector("[data-lead-list]").setAttribute("aria-labelledby", headingId);
  label(column, "status", status.name);
}

export function labelCard(card, lead) {
  const nameId = `lead-${lead.id}-name`;
  card.dataset.leadId = lead.id;
  card.dataset.lead = JSON.stringify(lead);
  card.setAttribute("aria-labelledby", nameId);
  card.querySelector(".lead-name").id = nameId;
  for (const field of card.querySelectorAll("[data-field]")) {
    const value = lead[field.dataset.key || field.dataset.field];
    field.textContent = field.dataset.format === "money" ? formatMoney(value || 0) : (value ?? "");
  }
  label(card, "lead", lead.name);
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
