/* Dragging columns by their handles and cards between columns, with SortableJS (vendored,
 * loaded by the page before this module as the global Sortable). */

// Sliding columns and cards around is motion some people ask their system to spare them.
const animation = () => (window.matchMedia("(prefers-reduced-motion: reduce)").matches ? 0 : 150);

/** Let the cards of one column's list be dragged within it and to other columns. */
export function makeCardsSortable(list, onCardMoved) {
  window.Sortable.create(list, {
    group: "leads",
    animation: animation(),
    draggable: "[data-lead-id]",
    filter: "button",
    preventOnFilter: false,
    ghostClass: "is-ghost",
    chosenClass: "is-chosen",
    onEnd(event) {
      if (event.from === event.to && event.oldIndex === event.newIndex) return;
      onCardMoved(event.item);
    },
  });
}

/** Let the columns of the board be dragged by their handles. */
export function makeColumnsSortable(board, onColumnMoved) {
  window.Sortable.create(board, {
    animation: animation(),
    handle: "[data-drag-handle]",
    draggable: "[data-status-id]",
    ghostClass: "is-ghost",
    chosenClass: "is-chosen",
    onEnd(event) {
      if (event.oldIndex === event.newIndex) return;
      onColumnMoved(event.item);
    },
  });
}
