// CRM behaviour without inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("click", (event) => {
  // Buttons and links with data-confirm ask before acting (destructive actions).
  const el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.dataset.confirm)) {
    event.preventDefault();
  }
});

// A form that comes back refused puts the focus on its first field in error, so keyboard and
// screen-reader users land on the problem (its message is tied by aria-describedby).
(() => {
  const first = document.querySelector("main [aria-invalid=true]");
  if (first && typeof first.focus === "function") first.focus();
})();
