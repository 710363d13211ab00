// The pipeline board (EXT-04): drag a card to another column (SortableJS, from npm), or pick the
// column in the card's move menu (the keyboard way); either posts the move to the server, which
// runs the session's declared action with its rules. A refused move springs back to where it was
// and the reason is shown in an alert that takes the focus. "Load more" pages a column. Text is
// inserted as text.
(() => {
  const board = document.getElementById("board");
  if (!board) return;
  const csrf = document.querySelector("meta[name=csrf-token]").content;
  const status = document.getElementById("board-status");
  const error = document.getElementById("board-error");
  const template = document.getElementById("card-template");

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

  // ``origin`` is where the card was before a drag (SortableJS has already moved it); a move
  // from the menu moves the card here.
  async function move(card, target, origin = null) {
    const list = board.querySelector(`[data-drop="${CSS.escape(target)}"]`);
    if (!origin) {
      origin = { parent: card.parentElement, next: card.nextElementSibling };
      if (!list || list === origin.parent) return;
      list.prepend(card);
    }
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
    const form = card.querySelector("form.crm-move");
    if (form) {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        move(card, form.querySelector("select").value);
      });
    }
  }

  board.querySelectorAll("[data-drop]").forEach((list) => {
    if (!window.Sortable) return;
    window.Sortable.create(list, {
      group: "board",
      sort: false,
      draggable: ".crm-movable",
      filter: "a, select, button, input, label",
      preventOnFilter: false,
      animation: 150,
      ghostClass: "opacity-50",
      onEnd: (event) => {
        if (event.from === event.to) return;
        const next = event.from.children[event.oldIndex] || null;
        move(event.item, event.to.dataset.drop, { parent: event.from, next });
      },
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
      card.classList.remove("crm-movable");
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
