/* Live status on the portal's work-order pages, without reloading what someone is typing:
   - an order's page asks every 30 s whether its status changed and then offers to show it;
   - "my requests" updates each status badge in place;
   - SLA countdowns ([data-due]) tick every 30 s. */
(function () {
  "use strict";
  var EVERY = 30000;
  var lang = document.documentElement.lang || "zh-Hans";

  function getJSON(url, done) {
    if (!window.fetch) return;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) done(data); })
      .catch(function () { /* offline in a lift: try again next time */ });
  }

  function unit(value, name) {
    try {
      return new Intl.NumberFormat(lang, { style: "unit", unit: name, unitDisplay: "short" }).format(value);
    } catch (e) {
      return value + (name === "hour" ? " h" : name === "day" ? " d" : " min");
    }
  }

  function duration(ms) {
    var minutes = Math.max(1, Math.round(Math.abs(ms) / 60000));
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    if (days) return unit(days, "day") + (hours ? " " + unit(hours, "hour") : "");
    if (hours) return unit(hours, "hour") + (mins ? " " + unit(mins, "minute") : "");
    return unit(mins, "minute");
  }

  function tick() {
    var now = Date.now();
    Array.prototype.forEach.call(document.querySelectorAll("[data-due][data-left]"), function (node) {
      var due = Date.parse(node.dataset.due);
      if (isNaN(due)) return;
      var left = due - now;
      node.textContent = (left >= 0 ? node.dataset.left : node.dataset.over).replace("%s", duration(left));
      var box = node.closest("[data-sla], .wo-job");
      if (box && left < 0) box.classList.add(box.classList.contains("wo-job") ? "overdue" : "late");
    });
  }

  function watchOrder(page) {
    var url = page.dataset.statusUrl, shown = page.dataset.status;
    setInterval(function () {
      getJSON(url, function (data) {
        if (data.status !== shown) {
          var note = document.getElementById("status-changed");
          if (note) note.hidden = false;
        }
      });
    }, EVERY);
  }

  function watchList(list) {
    var url = list.dataset.statusUrl;
    setInterval(function () {
      getJSON(url, function (data) {
        (data.orders || []).forEach(function (o) {
          var badge = list.querySelector('[data-order="' + o.id + '"] .wo-status');
          if (badge && badge.dataset.status !== o.status) {
            badge.className = "wo-status wo-status--" + o.status;
            badge.dataset.status = o.status;
            badge.textContent = o.label;
          }
        });
      });
    }, EVERY);
  }

  function init() {
    var page = document.querySelector("[data-status-url][data-status]");
    if (page) watchOrder(page);
    var list = document.querySelector("[data-status-url][data-live-list]");
    if (list) watchList(list);
    tick();
    setInterval(tick, EVERY);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
