// Lookup pickers on the generic detail and action screens (CORE-09): type to search the
// referenced session (GET <url>?q=, JSON [{id, label}] through the ownership filter), pick one
// to fill the hidden id. Results are inserted as text, never as HTML.
(() => {
  const DELAY_MS = 250;

  function setup(box) {
    const url = box.dataset.lookupUrl;
    const input = box.querySelector("[data-lookup-input]");
    const hidden = box.querySelector("[data-lookup-value]");
    const results = box.querySelector("[data-lookup-results]");
    let timer = null;
    let seq = 0;

    const clear = () => results.replaceChildren();

    async function search() {
      const mine = ++seq;
      const response = await fetch(`${url}?q=${encodeURIComponent(input.value)}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok || mine !== seq) return;
      const items = await response.json();
      clear();
      for (const item of items) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "list-group-item list-group-item-action";
        button.textContent = item.label;
        button.addEventListener("click", () => {
          hidden.value = String(item.id);
          input.value = item.label;
          clear();
        });
        results.appendChild(button);
      }
    }

    input.addEventListener("input", () => {
      if (input.value.trim() === "") hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(search, DELAY_MS);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Escape") clear();
    });
    document.addEventListener("click", (event) => {
      if (!box.contains(event.target)) clear();
    });
  }

  document.querySelectorAll(".crm-lookup").forEach(setup);
})();
