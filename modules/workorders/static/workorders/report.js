/* The fault report on a phone: the room list becomes campus → building → floor → room
   selects with a search box; only the chosen trade's custom fields show; chosen photos are
   previewed. Without this script the page works as plain HTML (one grouped list, all fields). */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  // --- The location picker ---------------------------------------------------------------
  function picker(box) {
    var room = box.querySelector("select");
    if (!room) return;
    var d = box.dataset;
    var rooms = Array.prototype.slice.call(room.querySelectorAll("option[data-floor]")).map(function (o) {
      return {
        id: o.value, label: o.textContent, campus: o.dataset.campus, campusName: o.dataset.campusName,
        building: o.dataset.building, buildingName: o.dataset.buildingName,
        floor: o.dataset.floor, floorName: o.dataset.floorName
      };
    });
    if (!rooms.length) return;
    var selected = room.value;

    function uniq(list, key, name) {
      var seen = {}, out = [];
      list.forEach(function (r) { if (!seen[r[key]]) { seen[r[key]] = 1; out.push([r[key], r[name]]); } });
      return out;
    }
    function select(id, label) {
      var wrap = el("div", {});
      var lab = el("label", { "for": id, "class": "visually-hidden" }, label);
      var s = el("select", { id: id, "aria-label": label });
      wrap.appendChild(lab); wrap.appendChild(s);
      return { wrap: wrap, select: s };
    }
    function fill(s, pairs, anyLabel, value) {
      s.innerHTML = "";
      s.appendChild(el("option", { value: "" }, anyLabel));
      pairs.forEach(function (p) {
        var o = el("option", { value: p[0] }, p[1]);
        if (String(p[0]) === String(value)) o.selected = true;
        s.appendChild(o);
      });
    }

    var campuses = uniq(rooms, "campus", "campusName");
    var search = el("input", { type: "search", id: "room-search", placeholder: d.labelSearch, "aria-label": d.labelSearch, autocomplete: "off" });
    var campus = select("room-campus", d.labelCampus);
    var building = select("room-building", d.labelBuilding);
    var floor = select("room-floor", d.labelFloor);
    box.insertBefore(search, room);
    if (campuses.length > 1) box.insertBefore(campus.wrap, room);
    box.insertBefore(building.wrap, room);
    box.insertBefore(floor.wrap, room);

    var start = rooms.filter(function (r) { return r.id === selected; })[0];
    fill(campus.select, campuses, d.labelCampus + " · " + d.labelAny, start ? start.campus : "");

    function matching(upTo) {
      return rooms.filter(function (r) {
        if (campus.select.value && r.campus !== campus.select.value) return false;
        if (upTo === "building") return true;
        if (building.select.value && r.building !== building.select.value) return false;
        if (upTo === "floor") return true;
        if (floor.select.value && r.floor !== floor.select.value) return false;
        var q = search.value.trim().toLowerCase();
        return !q || r.label.toLowerCase().indexOf(q) >= 0 ||
          (r.buildingName + r.floorName).toLowerCase().indexOf(q) >= 0;
      });
    }
    function buildings(value) {
      fill(building.select, uniq(matching("building"), "building", "buildingName"), d.labelBuilding + " · " + d.labelAny, value);
    }
    function floors(value) {
      fill(floor.select, uniq(matching("floor"), "floor", "floorName"), d.labelFloor + " · " + d.labelAny, value);
    }
    function roomsList(value) {
      var list = matching("room");
      room.innerHTML = "";
      room.appendChild(el("option", { value: "" }, d.labelChoose + " (" + list.length + ")"));
      var group = null, groupKey = null;
      list.forEach(function (r) {
        var key = r.floor;
        if (key !== groupKey) {
          group = el("optgroup", { label: r.buildingName + " · " + r.floorName });
          room.appendChild(group);
          groupKey = key;
        }
        var o = el("option", { value: r.id }, r.label);
        if (r.id === value) o.selected = true;
        group.appendChild(o);
      });
      if (list.length === 1) room.value = list[0].id;
    }
    buildings(start ? start.building : "");
    floors(start ? start.floor : "");
    roomsList(selected);

    campus.select.addEventListener("change", function () { buildings(""); floors(""); roomsList(""); });
    building.select.addEventListener("change", function () { floors(""); roomsList(""); });
    floor.select.addEventListener("change", function () { roomsList(""); });
    search.addEventListener("input", function () { roomsList(room.value); });
  }

  // --- The trade's custom fields -------------------------------------------------------------
  function customFields(form) {
    var trade = form.querySelector("select[name=trade]");
    var sets = form.querySelectorAll("fieldset.wo-custom");
    if (!trade || !sets.length) return;
    function show() {
      Array.prototype.forEach.call(sets, function (set) {
        var on = set.dataset.trade === trade.value;
        set.hidden = !on;
        set.disabled = !on; // hidden fields of other trades are not sent
      });
    }
    trade.addEventListener("change", show);
    show();
  }

  // --- Photos -------------------------------------------------------------------------------
  function photos(form) {
    var input = form.querySelector("input[type=file][name=photos]");
    var list = document.getElementById("photo-preview");
    if (!input || !list || !window.URL) return;
    input.addEventListener("change", function () {
      list.innerHTML = "";
      var files = Array.prototype.slice.call(input.files || []);
      var max = parseInt(list.dataset.max, 10) || 9;
      input.setCustomValidity(files.length > max ? list.dataset.tooMany : "");
      if (files.length > max) {
        list.appendChild(el("li", { "class": "errors" }, list.dataset.tooMany));
      }
      files.slice(0, max).forEach(function (file) {
        var li = el("li", {}), fig = el("figure", { style: "margin:0" });
        if (/^image\//.test(file.type)) {
          var img = el("img", { alt: "" });
          img.src = URL.createObjectURL(file);
          fig.appendChild(img);
        }
        fig.appendChild(el("figcaption", {}, file.name));
        li.appendChild(fig);
        list.appendChild(li);
      });
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-wo-picker]"), picker);
    var form = document.getElementById("report-form");
    if (form) { customFields(form); photos(form); }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
