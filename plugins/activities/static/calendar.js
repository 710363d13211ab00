// The activities calendar (ACT-05, issue 17 item 8) on FullCalendar, installed from npm.
// Month, week and day views (week/day open at the working hours) and a list view, the one
// phones start with. Events come from the permission-checked JSON feed; dragging or resizing
// posts the new local start/length to the server, which applies the activity form's rules: a
// refused move springs back and the reason is shown. Clicking an empty day or slot opens a new
// activity starting then. Times are the viewer's wall clock (the server converts zones), so the
// calendar runs in "UTC" as a floating clock. No inline script: the CSP forbids it.
(() => {
  const el = document.getElementById("calendar");
  if (!el || !window.FullCalendar) return;
  const data = el.dataset;
  const csrf = document.querySelector("meta[name=csrf-token]").content;
  const error = document.getElementById("cal-error");
  const status = document.getElementById("cal-status");
  const phone = window.matchMedia("(max-width: 576px)").matches;

  function refuse(message) {
    error.textContent = message;
    error.classList.remove("d-none");
    error.focus();
  }

  function announce(message) {
    error.classList.add("d-none");
    status.textContent = message;
  }

  function local(date) {
    // "2026-03-29T10:30" from the floating (UTC) date FullCalendar hands over
    return date.toISOString().slice(0, 16);
  }

  async function move(info) {
    const body = new URLSearchParams({ start: local(info.event.start) });
    if (info.event.end) body.set("minutes", String(Math.round((info.event.end - info.event.start) / 60000)));
    let answer = { ok: false, message: data.moveError };
    try {
      const response = await fetch(data.move.replace("/0/move", `/${info.event.id}/move`), {
        method: "POST",
        body,
        headers: { Accept: "application/json", "X-CSRFToken": csrf },
        credentials: "same-origin",
      });
      if ((response.headers.get("Content-Type") || "").includes("application/json")) answer = await response.json();
    } catch (_e) {
      // network failure: refused below with the generic message
    }
    if (answer.ok) {
      announce(answer.message);
    } else {
      info.revert(); // springs back
      refuse(answer.message || data.moveError);
    }
  }

  function create(date, allDay) {
    if (!data.new) return;
    const start = new Date(date.getTime());
    if (allDay) start.setUTCHours(Number(data.dayStart.slice(0, 2)), 0, 0, 0);
    const url = new URL(data.new, window.location.href);
    url.searchParams.set("starts_at", local(start));
    window.location.assign(url.toString());
  }

  const calendar = new window.FullCalendar.Calendar(el, {
    locale: document.documentElement.lang || "en",
    timeZone: "UTC",
    firstDay: 1,
    initialView: phone ? "listWeek" : data.view,
    initialDate: data.date,
    headerToolbar: phone
      ? { left: "prev,next", center: "title", right: "today" }
      : { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,timeGridDay,listWeek" },
    footerToolbar: phone ? { center: "listWeek,dayGridMonth,timeGridDay" } : false,
    // a fixed height, so week and day views scroll and open at the working hours (scrollTime)
    height: phone ? 620 : 760,
    dayMaxEvents: 4,
    eventDisplay: "block",
    nowIndicator: true,
    scrollTime: `${data.dayStart}:00`,
    businessHours: { daysOfWeek: [1, 2, 3, 4, 5], startTime: data.dayStart, endTime: data.dayEnd },
    slotDuration: "00:30:00",
    eventMinHeight: 22,
    slotEventOverlap: false,
    eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    displayEventEnd: false,
    editable: true,
    eventStartEditable: true,
    eventDurationEditable: true,
    events: { url: data.feed, failure: () => refuse(data.loadError) },
    eventDrop: move,
    eventResize: move,
    dateClick: (info) => create(info.date, info.allDay),
    eventDidMount: (info) => {
      const props = info.event.extendedProps;
      info.el.title = `${props.type}: ${info.event.title}`;
      info.el.dataset.id = info.event.id;
    },
  });
  calendar.render();
  // The toolbar's arrows are icons in buttons named by their title: hidden from assistive
  // technology, which otherwise meets images without a name (WCAG 1.1.1).
  el.querySelectorAll(".fc-icon").forEach((icon) => icon.setAttribute("aria-hidden", "true"));
})();
