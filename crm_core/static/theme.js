// The colour theme follows the system's (prefers-color-scheme), also when it changes while the
// page is open: Bootstrap 5.3 reads data-bs-theme on <html>. Loaded in <head>, before the body
// is drawn, so a dark system never flashes a light page; a file, as the CSP forbids inline scripts.
(() => {
  const dark = window.matchMedia("(prefers-color-scheme: dark)");
  const apply = () => document.documentElement.setAttribute("data-bs-theme", dark.matches ? "dark" : "light");
  apply();
  dark.addEventListener("change", apply);
})();
