// Draws a dashboard's widgets: one ECharts chart (or KPI cards) per [data-widget-chart] node,
// from the JSON the view wrote with json_script:
//   {kind: "bar"|"line"|"pie", categories: [...], cells: [{group ref: value}], series: [{name, data}], drill}
//   {kind: "kpi", items: [{name, value}], cell: {}, drill}
// Clicking a bar, a point, a slice or a card opens the records behind it:
//   drill + "?cell=" + JSON of that category's cell.
// Data only ever reaches the page as text (textContent) or through ECharts options.
(function () {
  "use strict";

  function drillUrl(spec, cell) {
    return spec.drill + "?cell=" + encodeURIComponent(JSON.stringify(cell || {}));
  }

  function kpi(node, spec) {
    spec.items.forEach(function (item) {
      var card = document.createElement("a");
      card.className = "report-kpi";
      card.href = drillUrl(spec, spec.cell);
      card.style.cssText = "display:inline-block;margin:0 2em 0.5em 0;color:inherit;text-decoration:none";
      var value = document.createElement("div");
      value.style.cssText = "font-size:2.5em;font-weight:bold";
      value.textContent = item.value === null || item.value === undefined ? "—" : String(item.value);
      var name = document.createElement("div");
      name.textContent = item.name;
      card.appendChild(value);
      card.appendChild(name);
      node.appendChild(card);
    });
    node.setAttribute("data-state", "ready");
  }

  function option(spec) {
    var dark = document.documentElement.classList.contains("w-theme-dark");
    var opt = { textStyle: { color: dark ? "#ddd" : "#333" }, animationDuration: 300 };
    if (spec.kind === "pie") {
      var first = spec.series[0] || { name: "", data: [] };
      opt.tooltip = { trigger: "item" };
      opt.series = [
        {
          name: first.name,
          type: "pie",
          radius: "65%",
          data: spec.categories.map(function (c, i) {
            return { name: c, value: first.data[i] };
          }),
        },
      ];
    } else {
      opt.tooltip = { trigger: "axis" };
      opt.legend = { top: 0, data: spec.series.map(function (s) { return s.name; }) };
      opt.grid = { left: 8, right: 16, top: 32, bottom: 8, containLabel: true };
      opt.xAxis = { type: "category", data: spec.categories };
      opt.yAxis = { type: "value" };
      opt.series = spec.series.map(function (s) {
        return { name: s.name, type: spec.kind, data: s.data, symbolSize: 8 };
      });
    }
    return opt;
  }

  function draw(node) {
    if (node.getAttribute("data-state")) return;
    var source = document.getElementById(node.getAttribute("data-widget-chart"));
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    if (spec.kind === "kpi") return kpi(node, spec);
    if (!window.echarts) return;
    var chart = window.echarts.init(node, null, { renderer: "canvas" });
    chart.setOption(option(spec));
    chart.on("click", function (event) {
      var cell = spec.cells && spec.cells[event.dataIndex];
      if (cell === undefined) return;
      window.location.assign(drillUrl(spec, cell));
    });
    chart.getZr().on("mousemove", function () {
      node.style.cursor = "pointer";
    });
    node.setAttribute("data-state", "ready");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-widget-chart]"), draw);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
