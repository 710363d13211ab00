/* Telephony on every page (TEL-01): click-to-call on tel: links, and the screen pop — the
 * agent's own event stream announces a call ringing at their extension, the card is then
 * fetched with their permissions and shown in the corner. No inline script (CSP). */
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]');

  function box() {
    var el = document.getElementById("tel-pop");
    if (!el) {
      el = document.createElement("div");
      el.id = "tel-pop";
      el.className = "position-fixed bottom-0 end-0 p-3";
      el.style.zIndex = "1080";
      el.style.maxWidth = "26rem";
      el.setAttribute("aria-live", "polite");
      document.body.appendChild(el);
      el.addEventListener("click", function (ev) {
        if (ev.target.closest("[data-tel-close]")) { ev.target.closest(".tel-pop-card").remove(); }
      });
    }
    return el;
  }

  function notice(text, ok) {
    var div = document.createElement("div");
    div.className = "alert alert-" + (ok ? "success" : "danger") + " shadow tel-notice";
    div.textContent = text;
    box().prepend(div);
    setTimeout(function () { div.remove(); }, 6000);
  }

  document.addEventListener("click", function (ev) {
    var link = ev.target.closest('a[href^="tel:"]');
    if (!link) { return; }
    ev.preventDefault();
    fetch("/telephony/call", {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json",
                "X-CSRFToken": token ? token.content : ""},
      body: JSON.stringify({number: link.dataset.number || decodeURIComponent(link.getAttribute("href").slice(4))})
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) {
        notice(body.message || res.statusText, res.ok);
      });
    });
  });

  if (!window.EventSource) { return; }
  var source = new EventSource("/telephony/events");
  source.addEventListener("call", function (ev) {
    fetch("/telephony/pops/" + encodeURIComponent(ev.data), {credentials: "same-origin"})
      .then(function (res) { return res.ok ? res.text() : ""; })
      .then(function (html) {
        if (!html) { return; }
        var holder = document.createElement("div");
        holder.innerHTML = html;  /* rendered and escaped by the server */
        box().prepend(holder.firstElementChild);
      });
  });
  document.documentElement.dataset.telStream = "open";
})();
