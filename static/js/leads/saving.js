/* Saving the board's changes: one after another in the order the user made them, each
 * announced in the board's live region; when one fails, the board is redrawn as the server
 * has it, so the page never shows a state the server refused. */
import { call } from "../api.js";

export class Saver {
  constructor(view, urls, message) {
    this.view = view;
    this.urls = urls;
    this.message = message;
    this.queue = Promise.resolve();  // the saves still to run, in order
  }

  /** Run `task` after every save queued before it. */
  enqueue(task) {
    this.queue = this.queue.then(task, task);
    return this.queue;
  }

  announce(text, isError = false) {
    this.message.textContent = text;
    this.message.classList.toggle("is-error", isError);
  }

  /** Redraw the whole board as the server has it now. */
  async refreshFromServer() {
    const [statuses, leads] = await Promise.all([
      call("GET", this.urls.statuses), call("GET", this.urls.leads),
    ]);
    this.view.applyStatuses(statuses);
    this.view.applyLeads(leads);
    this.view.updateCounts();
  }

  async recover(what, error) {
    try {
      await this.refreshFromServer();
      this.announce(`${what} could not be saved: ${error.message} The board shows the server's state again.`, true);
    } catch {
      this.announce(`${what} could not be saved: ${error.message} Reload the page to see the server's state.`, true);
    }
  }
}
