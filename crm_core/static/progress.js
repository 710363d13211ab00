// Job progress (import jobs, CORE-11; bulk action jobs, CORE-08): polls the job's JSON status,
// fills the counters and the bar, and reloads the page when the job ends.
(() => {
  const box = document.querySelector("[data-job-progress]");
  if (!box || box.dataset.finished === "1") {
    return;
  }
  const bar = box.querySelector(".progress-bar");
  const show = (data) => {
    box.querySelectorAll("[data-count]").forEach((el) => {
      const value = data[el.dataset.count];
      if (value !== undefined) {
        el.textContent = Number(value).toLocaleString();
      }
    });
    const pct = data.total ? Math.round((100 * data.processed) / data.total) : 0;
    bar.style.width = `${pct}%`;
    bar.parentElement.setAttribute("aria-valuenow", String(pct));
  };
  const poll = () => {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((data) => {
        show(data);
        if (data.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(() => window.setTimeout(poll, 5000));
  };
  window.setTimeout(poll, 500);
})();
