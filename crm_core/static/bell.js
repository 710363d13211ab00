// The navigation bar's bell (issue 17 item 11): the unread count from /notifications/count,
// read after the page has loaded and again every minute while the tab is visible. Without
// script the bell is a plain link to the list.
(function () {
  "use strict";
  var bell = document.getElementById("nav-bell");
  var badge = document.getElementById("bell-count");
  if (!bell || !badge || !window.fetch) {
    return;
  }
  function show(data) {
    badge.hidden = !data.unread;
    badge.textContent = data.unread ? data.shown : "";
    bell.setAttribute("aria-label", data.label);
    bell.setAttribute("title", data.label);
  }
  function refresh() {
    if (document.visibilityState === "hidden") {
      return;
    }
    fetch(bell.getAttribute("data-count-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { show(data); } })
      .catch(function () { /* offline or signed out: the bell stays as it was */ });
  }
  refresh();
  window.setInterval(refresh, 60000);
  document.addEventListener("visibilitychange", refresh);
})();
