// The record timeline (issue 17 item 2), enhanced: "Load more" appends the next page in place
// and the composer adds a note without leaving the page. Without script both are ordinary links
// and forms. Pages come from the server as HTML fragments rendered by the app's templates.
(() => {
  const list = document.getElementById("timeline-entries");
  if (!list) return;

  async function fragment(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!response.ok) throw new Error(String(response.status));
    const template = document.createElement("template");
    template.innerHTML = await response.text();
    return template.content;
  }

  list.addEventListener("click", async (event) => {
    const more = event.target.closest("#timeline-more");
    if (!more || !more.dataset.fragment) return;
    event.preventDefault();
    more.classList.add("disabled");
    try {
      const entries = await fragment(more.dataset.fragment);
      more.closest("li").remove();
      list.append(entries);
    } catch (_error) {
      window.location.assign(more.href); // the page without script
    }
  });

  // The composer's forms (note, and the actions plugins offer: email, activity …) post as they
  // would without script; the answer's messages and field errors are shown above the forms and
  // the first page of the timeline is fetched again.
  const composer = document.getElementById("timeline-composer");
  const first = document.getElementById("timeline-first");
  const messages = document.getElementById("timeline-messages");
  if (!composer || !first || !messages) return;
  composer.addEventListener("submit", async (event) => {
    const form = event.target.closest("[data-timeline-form]");
    if (!form) return;
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const response = await fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" });
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const shown = Array.from(page.querySelectorAll(".alert, [data-error]")).map((found) => {
        const box = document.createElement("div");
        const failed = !found.classList.contains("alert") || found.classList.contains("alert-danger");
        box.className = failed ? "alert alert-danger" : found.className;
        box.setAttribute("role", "alert");
        box.textContent = found.textContent.trim();
        return box;
      });
      const refused = !response.ok || shown.some((box) => box.classList.contains("alert-danger"));
      if (!shown.length && !response.ok) {
        const box = document.createElement("div");
        box.className = "alert alert-danger";
        box.textContent = composer.dataset.failed;
        shown.push(box);
      }
      messages.replaceChildren(...shown);
      if (!refused) {
        list.replaceChildren(await fragment(first.dataset.url));
        form.reset();
        const empty = document.getElementById("timeline-empty");
        if (empty && list.children.length) empty.remove();
      }
    } finally {
      button.disabled = false;
    }
  });
})();
