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
