// Global search in the top bar (EXT-15): Ctrl+K (or Cmd+K) focuses the box; typing asks
// GET /search?q= (debounced) for the first matches in every session the user may view, grouped
// by session. Keyboard (WAI-ARIA combobox with a listbox popup): ArrowDown/ArrowUp move through
// the results, Enter opens the highlighted record, Escape closes. Results are inserted as text.
(() => {
  const input = document.getElementById("global-search");
  if (!input) return;
  const form = document.getElementById("global-search-form");
  const results = document.getElementById("global-search-results");
  const DELAY_MS = 200;
  let timer = null;
  let seq = 0;
  let active = -1;

  const options = () => Array.from(results.querySelectorAll("[role=option]"));

  function highlight(index) {
    const all = options();
    active = all.length && index >= 0 ? index % all.length : -1;
    all.forEach((option, i) => {
      option.setAttribute("aria-selected", String(i === active));
      option.classList.toggle("active", i === active);
    });
    if (active >= 0) {
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function close() {
    seq++;
    results.replaceChildren();
    results.hidden = true;
    active = -1;
    input.removeAttribute("aria-activedescendant");
    input.setAttribute("aria-expanded", "false");
  }

  function option(id, text, url, extra) {
    const a = document.createElement("a");
    a.id = id;
    a.href = url;
    a.setAttribute("role", "option");
    a.setAttribute("aria-selected", "false");
    a.tabIndex = -1;
    a.className = `list-group-item list-group-item-action${extra ? " small fst-italic" : ""}`;
    a.textContent = text;
    a.addEventListener("mousedown", (event) => event.preventDefault());
    return a;
  }

  function show(data) {
    results.replaceChildren();
    let n = 0;
    data.groups.forEach((group) => {
      const head = document.createElement("div");
      head.className = "list-group-item crm-search-group";
      head.setAttribute("role", "presentation");
      head.textContent = group.label;
      results.appendChild(head);
      group.results.forEach((item) => {
        const el = option(`global-search-${n++}`, item.label, item.url, false);
        el.dataset.session = group.session;
        results.appendChild(el);
      });
      if (group.more) {
        results.appendChild(option(`global-search-${n++}`, input.dataset.more.replace("{s}", group.label), group.more, true));
      }
    });
    if (!data.groups.length) {
      const none = document.createElement("div");
      none.className = "list-group-item text-body-secondary";
      none.setAttribute("role", "presentation");
      none.id = "global-search-none";
      none.textContent = input.dataset.none;
      results.appendChild(none);
    }
    results.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(-1);
  }

  async function search() {
    const text = input.value.trim();
    if (text.length < 2) {
      close();
      return;
    }
    const mine = ++seq;
    const response = await fetch(`${input.dataset.searchUrl}?q=${encodeURIComponent(text)}`, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok || mine !== seq) return;
    const data = await response.json();
    if (mine === seq) show(data);
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, DELAY_MS);
  });
  input.addEventListener("keydown", (event) => {
    const count = options().length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (count) highlight(event.key === "ArrowDown" ? active + 1 : active <= 0 ? count - 1 : active - 1);
    } else if (event.key === "Enter") {
      event.preventDefault();
      const chosen = active >= 0 ? options()[active] : options()[0];
      if (chosen) window.location.assign(chosen.href);
    } else if (event.key === "Escape") {
      close();
    }
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });
  document.addEventListener("click", (event) => {
    if (!form.contains(event.target)) close();
  });
})();
