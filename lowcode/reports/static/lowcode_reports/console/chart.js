// Draws the report builder's preview chart from the JSON spec the view wrote (json_script):
// {kind: "bar"|"line"|"pie", categories: [...], series: [{name, data}]} or {kind: "kpi", items: [{name, value}]}.
// Data only ever reaches the page as text (textContent) or through ECharts options.
(function () {
  "use strict";
  var node = document.querySelector("[data-report-chart]");
  if (!node) return;
  var source = document.getElementById(node.getAttribute("data-report-chart"));
  if (!source) return;
  var spec = JSON.parse(source.textContent);
  if (spec.kind === "kpi") {
    node.style.height = "auto";
    spec.items.forEach(function (item) {
      var card = document.createElement("div");
      card.className = "report-kpi";
      card.style.cssText = "display:inline-block;margin:0 2em 1em 0";
      var value = document.createElement("div");
      value.style.cssText = "font-size:2.5em;font-weight:bold";
      value.textContent = item.value === null || item.value === undefined ? "—" : String(item.value);
      var name = document.createElement("div");
      name.textContent = item.name;
      card.appendChild(value);
      card.appendChild(name);
      node.appendChild(card);
    });
    return;
  }
  if (!window.echarts) return;
  var dark = document.documentElement.classList.contains("w-theme-dark");
  var option = { textStyle: { color: dark ? "#ddd" : "#333" }, animationDuration: 300 };
  if (spec.kind === "pie") {
    var first = spec.series[0] || { name: "", data: [] };
    option.tooltip = { trigger: "item" };
    option.series = [
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
    option.tooltip = { trigger: "axis" };
    option.legend = { top: 0, data: spec.series.map(function (s) { return s.name; }) };
    option.grid = { left: 8, right: 16, top: 32, bottom: 8, containLabel: true };
    option.xAxis = { type: "category", data: spec.categories };
    option.yAxis = { type: "value" };
    option.series = spec.series.map(function (s) {
      return { name: s.name, type: spec.kind, data: s.data };
    });
  }
  var chart = window.echarts.init(node, null, { renderer: "canvas" });
  chart.setOption(option);
  node.setAttribute("data-state", "ready");
  window.addEventListener("resize", function () { chart.resize(); });
})();
