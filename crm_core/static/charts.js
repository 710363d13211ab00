// Charts (home dashboard, sales funnel, call figures) with Apache ECharts, installed from npm.
// Every chart is drawn from the table in the same <figure class="crm-chart-figure">: the table is
// the chart's accessible twin and is always shown, so a chart can never say something its table
// does not. The table marks what to draw:
//   - each row's label: the cell with data-chart-label, else the row's first cell;
//   - values: the cells with data-value, one per series, in the order of the header cells that
//     carry data-series (their text names the series, their data-color, if any, colours it);
//     without them, one series.
// .crm-chart's data-chart picks the drawing: bar (horizontal), columns (vertical, stacked),
// pie or funnel. No inline script: the CSP forbids it.
(() => {
  if (!window.echarts) return;
  const charts = [];
  const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
  const colours = ["#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1", "#20c997"];

  function read(table) {
    const heads = [...table.querySelectorAll("thead [data-series]")];
    const series = heads.map((th) => th.textContent.trim());
    const rows = [...table.querySelectorAll("tbody tr")].filter((tr) => tr.querySelector("[data-value]"));
    const labels = rows.map((tr) => (tr.querySelector("[data-chart-label]") || tr.cells[0]).textContent.trim());
    const cells = rows.map((tr) => [...tr.querySelectorAll("[data-value]")]);
    const names = series.length ? series : [""];
    return {
      labels,
      series: names.map((name, i) => ({
        name,
        color: heads[i] ? heads[i].dataset.color : undefined,
        values: cells.map((c) => Number(c[i] ? c[i].dataset.value : 0)),
        texts: cells.map((c) => (c[i] ? c[i].textContent.trim() : "")),
      })),
    };
  }

  function option(kind, data) {
    const first = data.series[0];
    const itemTip = { trigger: "item", formatter: (p) => `${p.name}: ${first.texts[p.dataIndex]}` };
    const pairs = data.labels.map((name, i) => ({ name, value: first.values[i] }));
    if (kind === "pie") return { tooltip: itemTip, series: [{ type: "pie", radius: ["35%", "70%"], data: pairs }] };
    if (kind === "funnel") {
      return {
        tooltip: itemTip,
        series: [{ type: "funnel", sort: "none", left: "5%", width: "90%", minSize: "8%", data: pairs,
          label: { formatter: (p) => `${p.name}: ${first.texts[p.dataIndex]}` } }],
      };
    }
    const many = data.series.length > 1;
    const series = data.series.map((s, i) => ({
      type: "bar", name: s.name, data: s.values, stack: kind === "columns" ? "total" : undefined,
      itemStyle: { color: s.color || colours[i % colours.length] },
    }));
    const category = { type: "category", data: data.labels };
    const grid = { left: 8, right: 16, top: many ? 32 : 8, bottom: 8, containLabel: true };
    const legend = many ? { top: 0, data: data.series.map((s) => s.name) } : undefined;
    const tooltip = { trigger: "axis", axisPointer: { type: "shadow" } };
    if (kind === "columns") return { tooltip, legend, grid, xAxis: category, yAxis: { type: "value" }, series };
    return { tooltip, legend, grid, xAxis: { type: "value" }, yAxis: { ...category, inverse: true }, series };
  }

  document.querySelectorAll(".crm-chart-figure").forEach((figure) => {
    const box = figure.querySelector(".crm-chart");
    const table = figure.querySelector("table");
    if (!box || !table) return;
    const chart = window.echarts.init(box, dark ? "dark" : null, { renderer: "svg" });
    chart.setOption({ animation: false, color: colours, ...option(box.dataset.chart, read(table)) });
    box.dataset.ready = "true";
    charts.push(chart);
  });
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
