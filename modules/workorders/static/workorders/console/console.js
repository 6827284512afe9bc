/* Work-order console pages: live SLA countdowns and the ECharts charts.
 *
 * Countdowns: <span data-due="ISO time"> is rewritten every 30 s with the words in the
 * JSON script #wo-words ({min, h, d, left, late}: "{t}" is replaced by the span).
 * Charts: <div data-wo-chart="id"> draws the JSON script #id, a spec built by
 * console_views.py ({kind: volume | bars | compare | pie, categories, values, urls…}).
 * Clicking a bar or a slice with a URL opens it (the order list, filtered like the bar).
 * Each chart also has its numbers in a table next to it, for people and for printing.
 */
(function () {
  "use strict";

  function json(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  // --- Countdowns ----------------------------------------------------------------------------------
  var words = json("wo-words");

  function span(minutes) {
    minutes = Math.floor(Math.abs(minutes));
    if (minutes < 60) return words.min.replace("{m}", minutes);
    if (minutes < 1440) return words.h.replace("{h}", Math.floor(minutes / 60)).replace("{m}", minutes % 60);
    return words.d.replace("{d}", Math.floor(minutes / 1440)).replace("{h}", Math.floor((minutes % 1440) / 60));
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (node) {
      var minutes = (Date.parse(node.getAttribute("data-due")) - now) / 60000;
      if (isNaN(minutes)) return;
      node.textContent = (minutes < 0 ? words.late : words.left).replace("{t}", span(minutes));
      node.classList.remove("wo-due--late", "wo-due--soon", "wo-due--ok");
      node.classList.add(minutes < 0 ? "wo-due--late" : minutes < 30 ? "wo-due--soon" : "wo-due--ok");
    });
  }

  if (words) {
    tick();
    window.setInterval(tick, 30000);
  }

  // --- Charts ----------------------------------------------------------------------------------------
  if (!window.echarts) return;
  var colours = json("wo-colours") || { primary: "#1f6feb", accent: "#0e9f6e" };
  var dark = document.documentElement.classList.contains("w-theme-dark");
  var text = dark ? "#ddd" : "#333";
  var STARS = ["#d92d20", "#f79009", "#fdb022", "#66c61c", "#12b76a"];

  function base() {
    return {
      textStyle: { color: text },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      animationDuration: 400,
    };
  }

  function pct(value) {
    return value === null || value === undefined ? "—" : value + "%";
  }

  var builders = {
    volume: function (spec) {
      return Object.assign(base(), {
        legend: { data: spec.names, top: 0, textStyle: { color: text } },
        grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: spec.categories },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: spec.names[0], type: "bar", data: spec.values, itemStyle: { color: colours.primary } },
          {
            name: spec.names[1],
            type: "line",
            data: spec.trend,
            symbol: "none",
            lineStyle: { type: "dashed", width: 2, color: colours.accent },
            itemStyle: { color: colours.accent },
          },
        ],
      });
    },
    bars: function (spec) {
      // Largest at the top: ECharts draws a category axis from the bottom.
      return Object.assign(base(), {
        grid: { left: 8, right: 36, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: {
          type: "category",
          data: spec.categories.slice().reverse(),
          axisLabel: { width: 140, overflow: "truncate" },
        },
        series: [
          {
            type: "bar",
            data: spec.values.slice().reverse(),
            itemStyle: { color: colours.primary },
            label: { show: true, position: "right", color: text },
          },
        ],
      });
    },
    compare: function (spec) {
      return Object.assign(base(), {
        legend: { top: 0, textStyle: { color: text } },
        tooltip: {
          trigger: "axis",
          axisPointer: { type: "shadow" },
          valueFormatter: pct,
        },
        grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, width: 90, overflow: "truncate" } },
        yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        series: spec.series.map(function (s, i) {
          return {
            name: s.name,
            type: "bar",
            data: s.values,
            itemStyle: { color: i === 0 ? colours.primary : colours.accent },
            label: { show: spec.categories.length <= 4, position: "top", formatter: function (p) { return pct(p.value); } },
          };
        }),
      });
    },
    pie: function (spec) {
      return Object.assign(base(), {
        tooltip: { trigger: "item" },
        legend: { bottom: 0, textStyle: { color: text } },
        series: [
          {
            type: "pie",
            radius: ["40%", "68%"],
            center: ["50%", "45%"],
            data: spec.categories.map(function (name, i) {
              return { name: name, value: spec.values[i], itemStyle: { color: STARS[i % STARS.length] } };
            }),
            label: { formatter: "{b}: {c}", color: text },
          },
        ],
      });
    },
  };

  document.querySelectorAll("[data-wo-chart]").forEach(function (node) {
    var spec = json(node.getAttribute("data-wo-chart"));
    if (!spec || !builders[spec.kind]) return;
    if (spec.kind === "bars") node.style.height = Math.max(160, 30 * spec.categories.length + 40) + "px";
    var chart = window.echarts.init(node, null, { renderer: "canvas" });
    chart.setOption(builders[spec.kind](spec));
    node.setAttribute("data-state", "ready");
    var urls = spec.urls || [];
    if (spec.kind === "bars") urls = urls.slice().reverse();
    chart.on("click", function (params) {
      var url = urls[params.dataIndex];
      if (url) window.location.href = url;
    });
    if (urls.some(Boolean)) node.style.cursor = "pointer";
    window.addEventListener("resize", function () {
      chart.resize();
    });
  });
})();
