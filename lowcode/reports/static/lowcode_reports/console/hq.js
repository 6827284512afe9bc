/* Group overview charts (ECharts). Each element with data-chart="<id>" is drawn from the
   JSON in the <script type="application/json" id="<id>"> next to it (json_script):
   {kind: "line" | "stack" | "bar", categories: [...], series: [{name, data: [...]}]}. */
(function () {
  "use strict";
  function option(data) {
    var stacked = data.kind === "stack";
    var type = data.kind === "line" ? "line" : "bar";
    return {
      tooltip: { trigger: "axis" },
      legend: { type: "scroll" },
      grid: { left: 50, right: 20, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: data.categories },
      yAxis: { type: "value" },
      series: data.series.map(function (s) {
        var item = { name: s.name, type: type, data: s.data };
        if (stacked) { item.stack = "total"; item.emphasis = { focus: "series" }; }
        return item;
      })
    };
  }
  function draw() {
    if (!window.echarts) return;
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) return;
      var data = JSON.parse(source.textContent);
      if (!data.categories.length || !data.series.length) { el.hidden = true; return; }
      var chart = window.echarts.init(el);
      chart.setOption(option(data));
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
