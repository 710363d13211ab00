// Home dashboard charts (EXT-07) with Apache ECharts, installed from npm. Each chart is drawn
// from the table beside it (the table is the chart's accessible twin and is always shown), so a
// chart can never say something its table does not. No inline script: the CSP forbids it.
(() => {
  if (!window.echarts) return;
  const charts = [];
  const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
  document.querySelectorAll(".crm-chart-figure").forEach((figure) => {
    const box = figure.querySelector(".crm-chart");
    const rows = [...figure.querySelectorAll("tbody tr")].map((tr) => ({
      name: tr.querySelector("th").textContent.trim(),
      value: Number(tr.querySelector("td").dataset.value),
      text: tr.querySelector("td").textContent.trim(),
    }));
    const kind = box.dataset.chart;
    const chart = window.echarts.init(box, dark ? "dark" : null, { renderer: "svg" });
    const tooltip = { trigger: "item", formatter: (p) => `${p.name}: ${rows[p.dataIndex].text}` };
    let option;
    if (kind === "pie") {
      option = { tooltip, series: [{ type: "pie", radius: ["35%", "70%"], data: rows }] };
    } else if (kind === "funnel") {
      option = { tooltip, series: [{ type: "funnel", sort: "none", left: "10%", width: "80%", data: rows,
        label: { formatter: (p) => `${p.name}: ${rows[p.dataIndex].text}` } }] };
    } else {
      option = {
        tooltip,
        grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value" },
        yAxis: { type: "category", inverse: true, data: rows.map((r) => r.name) },
        series: [{ type: "bar", data: rows.map((r) => r.value), itemStyle: { color: "#0d6efd" } }],
      };
    }
    chart.setOption({ animation: false, ...option });
    box.dataset.ready = "true";
    charts.push(chart);
  });
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
