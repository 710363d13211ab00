// The pipeline board (EXT-04): drag a card to another column, or pick the column in the card's
// move menu (the keyboard way); either posts the move to the server, which runs the session's
// declared action with its rules. A refused move springs back to where it was and the reason is
// shown in an alert that takes the focus. "Load more" pages a column. Text is inserted as text.
(() => {
  const board = document.getElementById("board");
  if (!board) return;
  const csrf = document.querySelector("meta[name=csrf-token]").content;
  const status = document.getElementById("board-status");
  const error = document.getElementById("board-error");
  const template = document.getElementById("card-template");
  let dragged = null;

  function announce(message) {
    error.classList.add("d-none");
    status.textContent = message;
  }

  function refuse(message) {
    error.textContent = message;
    error.classList.remove("d-none");
    error.focus();
  }

  async function refreshTotals() {
    const response = await fetch(board.dataset.totalsUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) return;
    const figures = await response.json();
    board.querySelectorAll("[data-stage]").forEach((column) => {
      const values = figures[column.dataset.stage] || {};
      column.querySelectorAll("[data-figure]").forEach((el) => {
        if (values[el.dataset.figure] !== undefined) el.textContent = String(values[el.dataset.figure]);
      });
    });
  }

  async function move(card, target) {
    const list = board.querySelector(`[data-drop="${CSS.escape(target)}"]`);
    const origin = { parent: card.parentElement, next: card.nextElementSibling };
    if (!list || list === origin.parent) return;
    list.prepend(card);
    const form = card.querySelector("form.crm-move");
    const body = new URLSearchParams({ to: target });
    let answer = { ok: false, message: board.dataset.moveError };
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body,
        headers: { Accept: "application/json", "X-CSRFToken": csrf },
        credentials: "same-origin",
      });
      if ((response.headers.get("Content-Type") || "").includes("application/json")) answer = await response.json();
    } catch (_e) {
      // network failure: refused below with the generic message
    }
    if (answer.ok) {
      form.querySelector("select").value = target;
      announce(answer.message);
      refreshTotals();
    } else {
      origin.parent.insertBefore(card, origin.next); // springs back
      form.querySelector("select").value = origin.parent.dataset.drop;
      refuse(answer.message);
    }
  }

  function wire(card) {
    card.addEventListener("dragstart", (event) => {
      dragged = card;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.dataset.id);
      card.classList.add("opacity-50");
    });
    card.addEventListener("dragend", () => {
      card.classList.remove("opacity-50");
      dragged = null;
    });
    const form = card.querySelector("form.crm-move");
    if (form) {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        move(card, form.querySelector("select").value);
      });
    }
  }

  board.querySelectorAll("[data-drop]").forEach((list) => {
    list.addEventListener("dragover", (event) => {
      if (dragged) event.preventDefault();
    });
    list.addEventListener("drop", (event) => {
      event.preventDefault();
      if (dragged) move(dragged, list.dataset.drop);
    });
  });
  board.querySelectorAll(".crm-card").forEach(wire);

  function build(item, stage) {
    const card = template.content.firstElementChild.cloneNode(true);
    card.dataset.id = String(item.id);
    const link = card.querySelector("a");
    link.href = item.url;
    link.textContent = item.label || `#${item.id}`;
    const amount = card.querySelector("[data-card-amount]");
    if (amount) amount.textContent = item.amount;
    const form = card.querySelector("form.crm-move");
    if (item.movable && form) {
      form.action = form.getAttribute("action").replace("/0/move", `/${item.id}/move`);
      const select = form.querySelector("select");
      select.id = `move-${item.id}`;
      form.querySelector("label").htmlFor = select.id;
      form.querySelector("label").textContent = board.dataset.moveLabel.replace("{name}", item.label);
      select.value = stage;
    } else {
      card.removeAttribute("draggable");
      if (form) form.remove();
    }
    wire(card);
    return card;
  }

  board.querySelectorAll("[data-more]").forEach((button) => {
    button.addEventListener("click", async () => {
      const page = Number(button.dataset.page) + 1;
      const url = new URL(board.dataset.columnUrl, window.location.href);
      url.searchParams.set("stage", button.dataset.more);
      url.searchParams.set("page", String(page));
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) {
        refuse(board.dataset.loadError);
        return;
      }
      const data = await response.json();
      const list = board.querySelector(`[data-drop="${CSS.escape(button.dataset.more)}"]`);
      data.cards.forEach((item) => list.appendChild(build(item, button.dataset.more)));
      button.dataset.page = String(page);
      button.classList.toggle("d-none", !data.has_more);
    });
  });
})();
