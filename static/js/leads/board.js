/* The lead board on /staff/leads. Every change goes through the JSON API, at the URLs the
 * page names on the board (data-*-url, rendered with url_for); when one fails, the board is
 * redrawn as the server has it, so what the page shows is never a state the server refused.
 * This module wires the parts: view.js draws, saving.js queues saves, moves.js and
 * dragging.js move things, status-dialogs.js and lead-dialog.js edit them. */
import { closeButtonsClose } from "./dialogs.js";
import { makeCardsSortable, makeColumnsSortable } from "./dragging.js";
import { leadDialog } from "./lead-dialog.js";
import { moveColumn, moveLead, saveColumnOrder, saveLeadPlace } from "./moves.js";
import { Saver } from "./saving.js";
import { deleteDialog, renameDialog, wireAddStatus } from "./status-dialogs.js";
import { BoardView, columnOf, nameOfColumn } from "./view.js";

function startBoard(board) {
  const urls = {
    statuses: board.dataset.statusesUrl,
    status: board.dataset.statusUrl,
    statusOrder: board.dataset.statusOrderUrl,
    leads: board.dataset.leadsUrl,
    lead: board.dataset.leadUrl,
  };
  const onCardMoved = (card) => saveLeadPlace(view, saver, card);
  const view = new BoardView(board, {
    columnTemplate: document.getElementById("status-column-template"),
    cardTemplate: document.getElementById("lead-card-template"),
    prepareColumn: (column) => makeCardsSortable(view.listOf(column), onCardMoved),
  });
  const saver = new Saver(view, urls, document.querySelector("[data-board-message]"));

  makeColumnsSortable(board, (column) => saveColumnOrder(view, saver, nameOfColumn(column)));
  board.querySelectorAll("[data-lead-list]").forEach((list) => makeCardsSortable(list, onCardMoved));

  closeButtonsClose();
  wireAddStatus(view, saver, document.querySelector("[data-add-status]"));
  const openRename = renameDialog(view, saver, document.getElementById("rename-dialog"));
  const openDelete = deleteDialog(view, saver, document.getElementById("delete-dialog"));
  const openLead = leadDialog(view, saver, document.getElementById("lead-dialog"),
    document.getElementById("lead-delete-dialog"));

  board.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button || !board.contains(button)) return;
    const card = button.closest("[data-lead-id]");
    if (button.dataset.moveColumn) moveColumn(view, saver, columnOf(button), button.dataset.moveColumn);
    else if (button.dataset.moveLead) moveLead(view, saver, card, button.dataset.moveLead);
    else if (button.hasAttribute("data-rename-status")) openRename(columnOf(button));
    else if (button.hasAttribute("data-delete-status")) openDelete(columnOf(button));
    else if (button.hasAttribute("data-add-lead")) openLead(columnOf(button), null, button);
    else if (button.hasAttribute("data-edit-lead")) openLead(columnOf(button), card, button);
  });
}

const board = document.querySelector("[data-board]");
if (board) startBoard(board);
