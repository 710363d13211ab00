// The grid's filters apply as the user types or chooses (issue 17 item 4): the filter form is
// read, the grid page for it is fetched and its rows, pager and views bar replace the current
// ones, and the address bar takes the new URL (so reload, copy and "back" from a record keep the
// state). Without JavaScript the form's Filter button does the same with a page load. The column
// chooser gets buttons that move a column up or down (the boxes' order is the columns' order).
(() => {
  const form = document.getElementById("grid-filters");
  if (!form) return;
  const DELAY_MS = 300;
  const PARTS = ["grid-rows", "grid-pager", "grid-views"];
  let timer = null;
  let pending = null;

  function target() {
    const params = new URLSearchParams(new FormData(form));
    const url = new URL(form.getAttribute("action") || window.location.pathname, window.location.href);
    url.search = params.toString();
    return url;
  }

  async function refresh() {
    const url = target();
    if (pending) pending.abort();
    pending = new AbortController();
    let response;
    try {
      response = await fetch(url, { credentials: "same-origin", signal: pending.signal, headers: { Accept: "text/html" } });
    } catch (error) {
      if (error.name === "AbortError") return;
      throw error;
    }
    if (!response.ok || response.redirected) {
      window.location.assign(url); // let the server's page say what went wrong
      return;
    }
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    PARTS.forEach((id) => {
      const fresh = page.getElementById(id);
      const current = document.getElementById(id);
      if (fresh && current) current.replaceWith(document.adoptNode(fresh));
    });
    window.history.replaceState(null, "", url);
    document.dispatchEvent(new CustomEvent("crm:grid-updated"));
  }

  function soon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, DELAY_MS);
  }

  form.addEventListener("input", (event) => {
    if (event.target.matches("input[type=search], input[type=text]")) soon();
  });
  form.addEventListener("change", (event) => {
    if (event.target.matches("input[type=checkbox], select")) soon();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    window.clearTimeout(timer);
    refresh();
  });

  const list = document.getElementById("grid-columns-list");
  if (!list) return;
  function button(label, text, step) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-sm btn-outline-secondary";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.dataset.move = String(step);
    return b;
  }
  list.querySelectorAll("li[data-col]").forEach((item) => {
    const name = item.querySelector("label").textContent;
    item.append(button(`${list.dataset.up}: ${name}`, "↑", -1), button(`${list.dataset.down}: ${name}`, "↓", 1));
  });
  list.addEventListener("click", (event) => {
    const b = event.target.closest("button[data-move]");
    if (!b) return;
    const item = b.closest("li");
    if (b.dataset.move === "-1" && item.previousElementSibling) item.previousElementSibling.before(item);
    else if (b.dataset.move === "1" && item.nextElementSibling) item.nextElementSibling.after(item);
    else return;
    b.focus();
    soon();
  });
})();

// A grid cell changed in place (issue 17 item 5): the ✎ link's small form (screens/cell.py) is
// fetched and shown in the cell; it posts to the same address as without JavaScript. A refused
// value or a conflict comes back as the form with its messages, shown in place; once saved, the
// grid's rows are taken from the page the save leads to. Cancel or Escape puts the cell back.
(() => {
  function restore(cell) {
    if (cell.dataset.original === undefined) return;
    cell.innerHTML = cell.dataset.original;
    delete cell.dataset.original;
    const link = cell.querySelector("a.crm-cell-edit");
    if (link) link.focus();
  }

  async function fetchPage(url, init) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" }, ...init });
    return { response, page: new DOMParser().parseFromString(await response.text(), "text/html") };
  }

  function show(cell, url, page) {
    const form = page.getElementById("cell-form");
    if (!form) {
      window.location.assign(url); // let the server's page say what went wrong
      return;
    }
    form.setAttribute("action", url);
    form.querySelectorAll(".alert").forEach((a) => a.setAttribute("role", "alert"));
    cell.replaceChildren(document.adoptNode(form));
    const input = form.querySelector("input:not([type=hidden]), select, textarea");
    if (input) input.focus();
  }

  async function save(cell, form) {
    const url = form.getAttribute("action");
    const { response, page } = await fetchPage(url, { method: "POST", body: new FormData(form) });
    if (response.ok && response.redirected) {
      const fresh = page.getElementById("grid-rows");
      const current = document.getElementById("grid-rows");
      if (fresh && current) current.replaceWith(document.adoptNode(fresh));
      const field = new URL(url, window.location.href).pathname.split("/").pop();
      const row = cell.closest("tr");
      const again = row && document.querySelector(`#grid tr[data-id="${row.dataset.id}"] a.crm-cell-edit[href*="/cell/${field}?"]`);
      if (again) again.focus();
      document.dispatchEvent(new CustomEvent("crm:grid-updated"));
      return;
    }
    show(cell, url, page);
  }

  document.addEventListener("click", async (event) => {
    const link = event.target.closest("#grid a.crm-cell-edit");
    if (link) {
      event.preventDefault();
      const cell = link.closest("td");
      if (cell.dataset.original === undefined) cell.dataset.original = cell.innerHTML;
      const { page } = await fetchPage(link.href);
      show(cell, link.href, page);
      return;
    }
    const button = event.target.closest("#grid #cell-save"); // Enter in the field clicks it too
    if (button) {
      event.preventDefault();
      save(button.closest("td"), button.closest("form"));
      return;
    }
    const cancel = event.target.closest("#grid #cell-cancel");
    if (cancel) {
      event.preventDefault();
      restore(cancel.closest("td"));
    }
  });
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("#grid #cell-form");
    if (!form) return;
    event.preventDefault();
    save(form.closest("td"), form);
  });
  document.addEventListener("keydown", (event) => {
    const form = event.key === "Escape" && event.target.closest("#grid #cell-form");
    if (form) restore(form.closest("td"));
  });
})();
