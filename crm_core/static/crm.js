// CRM behaviour without inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("click", (event) => {
  // Buttons and links with data-confirm ask before acting (destructive actions).
  const el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.dataset.confirm)) {
    event.preventDefault();
  }
});
