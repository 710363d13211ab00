// Lookup pickers on the generic detail and action screens (CORE-09): type to search the
// referenced session (GET <url>?q=, JSON [{id, label}] through the ownership filter), pick one
// to fill the hidden id. Results are inserted as text, never as HTML.
//
// Keyboard (WAI-ARIA combobox with a listbox popup): ArrowDown/ArrowUp move through the results
// (the input keeps the focus; aria-activedescendant names the highlighted option), Enter picks
// the highlighted result and never submits the form, Escape closes the list.
(() => {
  const DELAY_MS = 250;

  function setup(box) {
    // A picker whose session is chosen in another field (an activity's area) searches that one.
    const source = box.dataset.lookupFrom ? document.getElementById(box.dataset.lookupFrom) : null;
    const address = () => (source ? (source.value ? box.dataset.lookupUrl.replace("__session__", source.value) : null) : box.dataset.lookupUrl);
    const input = box.querySelector("[data-lookup-input]");
    const hidden = box.querySelector("[data-lookup-value]");
    const results = box.querySelector("[data-lookup-results]");
    let timer = null;
    let seq = 0;
    let active = -1;

    const options = () => Array.from(results.querySelectorAll("[role=option]"));

    function highlight(index) {
      const all = options();
      active = all.length && index >= 0 ? index % all.length : -1; // -1: none highlighted
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

    function clear() {
      seq++; // an answer still on its way must not reopen the list
      results.replaceChildren();
      active = -1;
      input.removeAttribute("aria-activedescendant");
      input.setAttribute("aria-expanded", "false");
    }

    function pick(item) {
      if (item.create !== undefined) {
        create(item.create);
        return;
      }
      hidden.value = String(item.id);
      input.value = item.label;
      clear();
    }

    // "+ New customer “Acme”": the record is made on the server (the user's rights, one
    // transaction) and then picked like any result; a refusal is shown under the picker.
    const failure = box.querySelector("[data-lookup-error]");
    async function create(text) {
      clear();
      const body = new URLSearchParams({ q: text });
      const response = await fetch(address(), {
        method: "POST",
        body,
        headers: { Accept: "application/json", "X-CSRFToken": document.querySelector("meta[name=csrf-token]").content },
        credentials: "same-origin",
      });
      const answer = await response.json().catch(() => ({}));
      if (response.ok) {
        failure.textContent = "";
        pick(answer);
      } else {
        failure.textContent = Object.values(answer.errors || {}).flat().join(" ") || response.statusText;
      }
    }

    async function search() {
      const mine = ++seq;
      const url = address();
      if (!url) return; // no area chosen yet
      const response = await fetch(`${url}?q=${encodeURIComponent(input.value)}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok || mine !== seq) return;
      const items = await response.json();
      if (mine !== seq) return;
      results.replaceChildren();
      const typed = input.value.trim();
      if (box.dataset.createLabel && typed && !items.some((item) => item.label.toLowerCase() === typed.toLowerCase())) {
        items.push({ create: typed, label: `+ ${box.dataset.createLabel} “${typed}”` });
      }
      items.forEach((item, i) => {
        const option = document.createElement("div");
        option.id = `${results.id}-${i}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.className = "list-group-item list-group-item-action";
        if (item.create !== undefined) option.dataset.create = "1";
        option.textContent = item.label;
        option.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus
        option.addEventListener("click", () => pick(item));
        option.crmItem = item;
        results.appendChild(option);
      });
      input.setAttribute("aria-expanded", String(items.length > 0));
      highlight(-1);
    }

    input.addEventListener("input", () => {
      if (input.value.trim() === "") hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(search, DELAY_MS);
    });
    input.addEventListener("keydown", (event) => {
      const count = options().length;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (count) highlight(event.key === "ArrowDown" ? active + 1 : (active <= 0 ? count - 1 : active - 1));
        else if (input.value.trim() !== "") search();
      } else if (event.key === "Enter") {
        event.preventDefault(); // a picker never submits its form
        if (active >= 0) pick(options()[active].crmItem);
      } else if (event.key === "Escape") {
        if (count) event.preventDefault();
        clear();
      }
    });
    document.addEventListener("click", (event) => {
      if (!box.contains(event.target)) clear();
    });
    if (source) {
      source.addEventListener("change", () => { // another area: the record chosen in the old one goes
        hidden.value = "";
        input.value = "";
        clear();
      });
    }
  }

  document.querySelectorAll(".crm-lookup").forEach(setup);
})();
