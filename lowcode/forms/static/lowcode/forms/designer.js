/* Facilis low-code forms: the designer for tenant administrators (plain ES2019, no build step).
 *
 *   <textarea id="form-draft" name="draft">{…definition JSON…}</textarea>
 *   <div data-form-designer="form-draft" data-preview="form-preview" data-lang="zh"
 *        data-messages="designer-messages"></div>
 *   <div id="form-preview"></div>
 *   <script type="application/json" id="designer-messages">{"addField": "添加字段", …}</script>
 *
 * Needs runtime.js first (window.FacilisForms: the preview and the engine's vocabulary).
 * Every change writes the definition back into the textarea (which the page's form posts)
 * and renders the preview again. The server's check() stays the judge of what may be
 * published; the designer only offers what makes sense (conditions read earlier fields,
 * operators suit the field's type, values are typed).
 *
 * The DOM is built with createElement / textContent / setAttribute only.
 */
(function (global) {
  "use strict";

  var FF = global.FacilisForms;

  var DEFAULT_MESSAGES = {
    addSection: "Add section",
    addField: "Add field",
    remove: "Remove",
    confirmRemove: "Click again to remove",
    moveUp: "Move up",
    moveDown: "Move down",
    drag: "Drag to move",
    edit: "Edit",
    close: "Close",
    key: "Key",
    type: "Type",
    field: "Field",
    operator: "Operator",
    labelZh: "Label (中文)",
    labelEn: "Label (English)",
    helpZh: "Help text (中文)",
    helpEn: "Help text (English)",
    placeholderZh: "Placeholder (中文)",
    placeholderEn: "Placeholder (English)",
    default: "Default",
    required: "Required",
    min: "Minimum",
    max: "Maximum",
    minSelections: "Minimum selections",
    maxSelections: "Maximum selections",
    minRows: "Minimum rows",
    maxRows: "Maximum rows",
    maxFiles: "Maximum files",
    minLength: "Minimum length",
    maxLength: "Maximum length",
    pattern: "Pattern (regular expression)",
    patternUnreadable: "The browser cannot check this pattern; the server will.",
    options: "Options",
    optionValue: "Value",
    addOption: "Add option",
    columns: "Columns",
    addColumn: "Add column",
    visibleWhen: "Show only when",
    requiredWhen: "Required when",
    all: "all of",
    any: "any of",
    always: "No condition",
    addCondition: "Add condition",
    advanced: "Advanced (JSON)",
    invalidJson: "Not valid JSON: the last valid condition is kept.",
    noEarlierFields: "A condition can only use fields above this one.",
    notEarlier: "(not above this one)",
    notAllowed: "(not allowed)",
    value: "Value",
    addValue: "Add value",
    yes: "Yes",
    no: "No",
    none: "—",
    preview: "Preview",
    previewFailed: "The preview cannot show this definition.",
    section: "Section",
    sectionKey: "Section key",
    sectionTitleZh: "Section title (中文)",
    sectionTitleEn: "Section title (English)",
    removeSection: "Remove section",
    noFields: "No fields yet.",
    fieldType: "Field type",
    assetLater: "Asset fields arrive with the assets module.",
    badKey: "Start with a lower-case letter; then lower-case letters, digits or _ (at most 40).",
    duplicateKey: "Another field already uses this key.",
    malformed: "The definition in the text box is not valid JSON; fix it there or start again here.",
    types: {
      text: "Text",
      textarea: "Long text",
      number: "Number",
      money: "Money",
      date: "Date",
      time: "Time",
      datetime: "Date and time",
      choice: "Single choice",
      multichoice: "Multiple choice",
      boolean: "Yes / no",
      user: "Person",
      department: "Department",
      room: "Location (room)",
      asset: "Asset",
      file: "File or photo",
      table: "Repeating rows",
    },
    operators: {
      eq: "is",
      ne: "is not",
      gt: "is more than",
      gte: "is at least",
      lt: "is less than",
      lte: "is at most",
      in: "is one of",
      not_in: "is none of",
      contains: "contains",
      not_contains: "does not contain",
      empty: "is empty",
      not_empty: "is filled in",
    },
  };

  var KEY = /^[a-z][a-z0-9_]{0,39}$/;
  var COLUMN_EXCLUDED = { table: true, file: true, asset: true };
  var UNAVAILABLE = { asset: true };
  var PLACEHOLDER_TYPES = { text: 1, textarea: 1, number: 1, money: 1, choice: 1, user: 1, department: 1, room: 1 };
  var designers = 0;

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  // The runtime's DOM helpers: text is always set as text, never parsed as HTML.
  var h = FF.dom.h;
  var clear = FF.dom.clear;

  function merge(base, extra) {
    var out = Object.assign({}, base);
    Object.keys(isObject(extra) ? extra : {}).forEach(function (name) {
      out[name] = isObject(base[name]) && isObject(extra[name]) ? Object.assign({}, base[name], extra[name]) : extra[name];
    });
    return out;
  }

  /** A key from an English label: lower_snake, starting with a letter, at most 40 characters. */
  function snake(text) {
    var key = String(text || "").toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
    if (key && !/^[a-z]/.test(key)) key = "f_" + key;
    return key.slice(0, 40).replace(/_+$/, "");
  }

  function unique(base, taken) {
    var stem = base.slice(0, 36);
    if (taken.indexOf(base) === -1) return base;
    for (var n = 2; ; n += 1) {
      var candidate = stem + "_" + n;
      if (taken.indexOf(candidate) === -1) return candidate;
    }
  }

  function emptyDefinition() {
    return { sections: [{ key: "main", title: { zh: "", en: "" }, fields: [] }] };
  }

  function normaliseDefinition(value) {
    if (!isObject(value) || !Array.isArray(value.sections)) return null;
    value.sections.forEach(function (section) {
      if (isObject(section) && !Array.isArray(section.fields)) section.fields = [];
    });
    return value;
  }

  function readMessages(root) {
    var id = root.getAttribute("data-messages");
    var source = id ? document.getElementById(id) : null;
    var given = null;
    if (source) {
      try {
        given = JSON.parse(source.textContent);
      } catch (error) {
        given = null;
      }
    }
    return merge(DEFAULT_MESSAGES, merge(isObject(global.FacilisDesignerMessages) ? global.FacilisDesignerMessages : {}, given));
  }

  // ---------------------------------------------------------------------------------
  // One designer
  // ---------------------------------------------------------------------------------

  function Designer(root, options) {
    var settings = options || {};
    var textarea = settings.textarea;
    var preview = settings.preview || null;
    var lang = String(settings.lang || "zh").indexOf("en") === 0 ? "en" : "zh";
    var words = settings.messages || merge(DEFAULT_MESSAGES, {});
    var uid = "fd" + (designers += 1);
    var serial = 0;
    var ids = new WeakMap(); // spec → stable id (focus after a rebuild)
    var expanded = new WeakSet(); // field specs whose editor is open
    var autoKeys = new WeakSet(); // fields (and options) whose key follows the English label
    var refKeys = new WeakMap(); // field → the key the conditions use for it (the last good one)
    var advanced = new WeakMap(); // owner spec → {visible_when: bool, required_when: bool}
    var rowSyncs = []; // condition rows to refresh when keys, labels or options change
    var dragging = null;
    var def;
    var problem = null;

    try {
      def = normaliseDefinition(JSON.parse(textarea.value || ""));
    } catch (error) {
      def = null;
    }
    if (def === null) {
      problem = String(textarea.value || "").trim() ? words.malformed : null;
      def = emptyDefinition();
    }

    function idOf(object) {
      if (!ids.has(object)) ids.set(object, uid + "-" + (serial += 1));
      return ids.get(object);
    }

    function t(name) {
      return Object.prototype.hasOwnProperty.call(words, name) ? String(words[name]) : name;
    }

    function typeName(kind) {
      return isObject(words.types) && words.types[kind] ? String(words.types[kind]) : String(kind);
    }

    function text(value) {
      return FF.textIn(value, lang);
    }

    // -------------------------------------------------------------------------------
    // The model
    // -------------------------------------------------------------------------------

    function sections() {
      return def.sections.filter(isObject);
    }

    function allFields() {
      var out = [];
      sections().forEach(function (section) {
        (Array.isArray(section.fields) ? section.fields : []).forEach(function (field) {
          if (isObject(field)) out.push(field);
        });
      });
      return out;
    }

    /** The fields a condition of `owner` may read: those before it (a section: before its first field). */
    function earlierFields(owner) {
      var out = [];
      var done = false;
      sections().forEach(function (section) {
        if (done) return;
        if (section === owner) { done = true; return; }
        (Array.isArray(section.fields) ? section.fields : []).forEach(function (field) {
          if (done || !isObject(field)) return;
          if (field === owner) { done = true; return; }
          out.push(field);
        });
      });
      return out;
    }

    function fieldByKey(key) {
      return allFields().filter(function (f) { return f.key === key; })[0] || null;
    }

    function setText(object, name, language, value) {
      if (!isObject(object[name])) object[name] = { zh: typeof object[name] === "string" ? object[name] : "", en: "" };
      object[name][language] = value;
    }

    function setOrDelete(object, name, value) {
      if (value === null || value === undefined || value === "") delete object[name];
      else object[name] = value;
    }

    /** A typed setting from an input: a number when it reads as one, else the text (check() will say). */
    function numberOrText(raw, integer) {
      var value = String(raw).trim();
      if (value === "") return null;
      var number = Number(value);
      if (isFinite(number) && (!integer || Number.isInteger(number))) return number;
      return value;
    }

    function renameReferences(oldKey, newKey) {
      function walk(node, depth) {
        if (!isObject(node) || depth > 10) return;
        if (Array.isArray(node.all)) node.all.forEach(function (c) { walk(c, depth + 1); });
        else if (Array.isArray(node.any)) node.any.forEach(function (c) { walk(c, depth + 1); });
        else if (Object.prototype.hasOwnProperty.call(node, "not")) walk(node.not, depth + 1);
        else if (node.field === oldKey) node.field = newKey;
      }
      sections().forEach(function (section) {
        walk(section.visible_when, 0);
        (section.fields || []).forEach(function (field) {
          if (!isObject(field)) return;
          walk(field.visible_when, 0);
          walk(field.required_when, 0);
        });
      });
    }

    function newField(kind, siblings, inTable) {
      var taken = siblings.map(function (f) { return f.key; });
      var n = 1;
      while (taken.indexOf(kind + "_" + n) !== -1) n += 1;
      var spec = {
        key: kind + "_" + n,
        type: kind,
        label: { zh: "", en: "" },
      };
      if (!inTable) {
        spec.help = { zh: "", en: "" };
      }
      if (kind === "choice" || kind === "multichoice") {
        spec.options = [
          { value: "option_1", label: { zh: "选项 1", en: "Option 1" } },
          { value: "option_2", label: { zh: "选项 2", en: "Option 2" } },
        ];
      }
      if (kind === "table") {
        var first = newField("text", [], true);
        first.key = "item";
        first.label = { zh: "项目", en: "Item" };
        spec.columns = [first];
      }
      autoKeys.add(spec);
      return spec;
    }

    // -------------------------------------------------------------------------------
    // Writing back
    // -------------------------------------------------------------------------------

    function writeBack() {
      textarea.value = JSON.stringify(def, null, 1);
      renderPreview();
    }

    function renderPreview() {
      if (!preview) return;
      try {
        FF.render(preview, def, { lang: lang, detached: true, uploadUrl: null, readOnly: false });
      } catch (error) {
        clear(preview);
        preview.appendChild(h("p", { class: "fd-warning", text: t("previewFailed") }));
      }
    }

    /** Something other than text changed: rebuild the editor, write back, keep the focus. */
    function changed() {
      var focus = document.activeElement && root.contains(document.activeElement)
        ? document.activeElement.getAttribute("data-focus")
        : null;
      build();
      writeBack();
      if (focus) {
        var again = root.querySelector('[data-focus="' + focus + '"]');
        if (again) again.focus();
      }
    }

    /** Text typed into an input: write back and refresh what shows keys and labels. */
    function typed() {
      writeBack();
      refreshHeads();
      syncRows();
    }

    function syncRows() {
      rowSyncs = rowSyncs.filter(function (sync) { return sync(); });
    }

    // -------------------------------------------------------------------------------
    // Small widgets
    // -------------------------------------------------------------------------------

    function newId() {
      serial += 1;
      return uid + "-i" + serial;
    }

    function labelled(labelText, control, extraClass) {
      if (!control.id) control.id = newId();
      return h("div", { class: "fd-row" + (extraClass ? " " + extraClass : "") }, [
        h("label", { for: control.id, text: labelText }),
        control,
      ]);
    }

    function textInput(value, onInput, attributes) {
      var input = h("input", Object.assign({ type: "text", class: "fd-input" }, attributes || {}));
      input.value = value === null || value === undefined ? "" : String(value);
      input.addEventListener("input", function () { onInput(input.value, input); });
      return input;
    }

    function button(label, onClick, attributes) {
      var node = h("button", Object.assign({ type: "button", class: "fd-button", text: label }, attributes || {}));
      node.addEventListener("click", function (event) {
        event.preventDefault();
        onClick(event, node);
      });
      return node;
    }

    /** A remove button that asks for a second click. */
    function removeButton(label, onRemove, attributes, immediate) {
      var timer = null;
      var node = button(label, function () {
        if (immediate && immediate()) { onRemove(); return; }
        if (node.getAttribute("data-armed") === "1") {
          clearTimeout(timer);
          onRemove();
          return;
        }
        node.setAttribute("data-armed", "1");
        node.textContent = t("confirmRemove");
        timer = setTimeout(function () {
          node.removeAttribute("data-armed");
          node.textContent = label;
        }, 4000);
      }, Object.assign({ class: "fd-button fd-button--danger" }, attributes || {}));
      return node;
    }

    function bilingual(object, name, zhLabel, enLabel, afterEn) {
      var zh = textInput(isObject(object[name]) ? object[name].zh : typeof object[name] === "string" ? object[name] : "", function (value) {
        setText(object, name, "zh", value);
        typed();
      });
      var en = textInput(isObject(object[name]) ? object[name].en : "", function (value) {
        setText(object, name, "en", value);
        if (afterEn) afterEn(value);
        typed();
      });
      return [labelled(zhLabel, zh), labelled(enLabel, en)];
    }

    function keyInput(spec, siblings, onRenamed) {
      var note = h("p", { class: "fd-hint", "aria-live": "polite" });
      var input = textInput(spec.key, function (value) {
        autoKeys.delete(spec);
        apply(value);
      }, { spellcheck: "false", autocomplete: "off", class: "fd-input fd-key", "data-focus": idOf(spec) + ":key" });
      function problems(value) {
        if (!KEY.test(value)) return t("badKey");
        var others = siblings().filter(function (f) { return f !== spec && f.key === value; });
        return others.length ? t("duplicateKey") : "";
      }
      if (!refKeys.has(spec)) refKeys.set(spec, spec.key);
      function apply(value) {
        spec.key = value;
        var problem = problems(value);
        note.textContent = problem;
        input.classList.toggle("fd-invalid", Boolean(problem));
        var old = refKeys.get(spec);
        if (!problem && old !== value) {
          // Conditions follow the rename, unless another field has taken the old key meanwhile.
          var taken = siblings().some(function (f) { return f !== spec && f.key === old; });
          if (onRenamed && !taken) onRenamed(old, value);
          refKeys.set(spec, value);
        }
        refreshHeads();
        typed();
      }
      var initialProblem = problems(String(spec.key));
      note.textContent = initialProblem;
      input.classList.toggle("fd-invalid", Boolean(initialProblem));
      var row = labelled(t("key"), input, "fd-row--key");
      row.appendChild(note);
      return {
        row: row,
        suggest: function (label) {
          if (!autoKeys.has(spec)) return;
          var base = snake(label) || spec.type + "_1";
          var taken = siblings().filter(function (f) { return f !== spec; }).map(function (f) { return f.key; });
          var value = unique(base, taken);
          input.value = value;
          apply(value);
        },
      };
    }

    var headRefreshers = [];
    function refreshHeads() {
      headRefreshers.forEach(function (refresh) { refresh(); });
    }

    // -------------------------------------------------------------------------------
    // Conditions
    // -------------------------------------------------------------------------------

    function isLeaf(node) {
      return isObject(node) && !("all" in node) && !("any" in node) && !("not" in node);
    }

    /** The builder's view of a condition, or null when only the JSON editor can show it. */
    function asRows(condition) {
      if (condition === null || condition === undefined) return { join: "all", rows: [] };
      if (isLeaf(condition)) return { join: "all", rows: [condition] };
      if (isObject(condition) && Object.keys(condition).length === 1) {
        var join = Array.isArray(condition.all) ? "all" : Array.isArray(condition.any) ? "any" : null;
        if (join && condition[join].every(isLeaf)) return { join: join, rows: condition[join] };
      }
      return null;
    }

    function fromRows(view) {
      if (!view.rows.length) return null;
      if (view.rows.length === 1) return view.rows[0];
      var out = {};
      out[view.join] = view.rows;
      return out;
    }

    function defaultValue(field, op) {
      var kind = field ? field.type : "text";
      var options = field && Array.isArray(field.options) ? field.options.filter(isObject) : [];
      if (op === "empty" || op === "not_empty") return undefined;
      if (op === "in" || op === "not_in") return [];
      if (kind === "choice" || kind === "multichoice") return options.length ? options[0].value : "";
      if (kind === "boolean") return true;
      if (kind === "number" || kind === "money") return 0;
      if (kind === "user" || kind === "department" || kind === "room" || kind === "asset") return 1;
      return "";
    }

    function typedValueInput(field, value, onValue, attributes) {
      var kind = field ? field.type : "text";
      var node;
      var options = field && Array.isArray(field.options) ? field.options.filter(isObject) : [];
      if (kind === "choice" || kind === "multichoice") {
        node = h("select", Object.assign({ class: "fd-input" }, attributes || {}));
        var known = options.map(function (o) { return o.value; });
        if (known.indexOf(value) === -1) node.appendChild(h("option", { value: String(value === undefined || value === null ? "" : value), text: String(value === undefined || value === null ? t("none") : value) }));
        options.forEach(function (o) {
          node.appendChild(h("option", { value: String(o.value), text: (text(o.label) || o.value) + " (" + o.value + ")" }));
        });
        node.value = String(value === undefined || value === null ? "" : value);
        node.addEventListener("change", function () { onValue(node.value); });
        return node;
      }
      if (kind === "boolean") {
        node = h("select", Object.assign({ class: "fd-input" }, attributes || {}), [
          h("option", { value: "true", text: t("yes") }),
          h("option", { value: "false", text: t("no") }),
        ]);
        node.value = value === false ? "false" : "true";
        node.addEventListener("change", function () { onValue(node.value === "true"); });
        return node;
      }
      var type = { date: "date", time: "time", datetime: "datetime-local" }[kind] || "text";
      node = h("input", Object.assign({ type: type, class: "fd-input" }, attributes || {}));
      if (kind === "number" || kind === "money") node.setAttribute("inputmode", "decimal");
      if (kind === "user" || kind === "department" || kind === "room" || kind === "asset") node.setAttribute("inputmode", "numeric");
      node.value = value === null || value === undefined ? "" : String(value);
      node.addEventListener("input", function () {
        var raw = node.value;
        if (kind === "number" || kind === "money") onValue(numberOrText(raw, false));
        else if (kind === "user" || kind === "department" || kind === "room" || kind === "asset") onValue(numberOrText(raw, true));
        else onValue(raw);
      });
      return node;
    }

    /** The editor of one condition (`prop` of `owner`: visible_when or required_when). */
    function conditionEditor(owner, prop, title) {
      var box = h("div", { class: "fd-condition", "data-prop": prop });
      var flags = advanced.get(owner) || {};
      advanced.set(owner, flags);
      var view = asRows(owner[prop]);
      if (view === null) flags[prop] = true;

      var head = h("div", { class: "fd-condition__head" }, [h("span", { class: "fd-condition__title", text: title })]);
      var toggleId = newId();
      var toggle = h("input", { type: "checkbox", id: toggleId, "data-focus": idOf(owner) + ":" + prop + ":json" });
      toggle.checked = Boolean(flags[prop]);
      head.appendChild(h("label", { class: "fd-check fd-condition__json", for: toggleId }, [toggle, " ", t("advanced")]));
      box.appendChild(head);
      var body = h("div", { class: "fd-condition__body" });
      box.appendChild(body);

      toggle.addEventListener("change", function () {
        if (!toggle.checked && asRows(owner[prop]) === null) {
          toggle.checked = true; // the builder cannot show this condition
          return;
        }
        flags[prop] = toggle.checked;
        draw();
      });

      function write(condition) {
        if (condition === null) delete owner[prop];
        else owner[prop] = condition;
      }

      function draw() {
        clear(body);
        if (flags[prop]) drawJson();
        else drawBuilder();
      }

      function drawJson() {
        var area = h("textarea", { class: "fd-input fd-json", rows: 4, spellcheck: "false", "aria-label": title + " — " + t("advanced") });
        area.value = owner[prop] === undefined || owner[prop] === null ? "" : JSON.stringify(owner[prop], null, 1);
        var note = h("p", { class: "fd-hint", "aria-live": "polite" });
        area.addEventListener("input", function () {
          var raw = area.value.trim();
          if (!raw) {
            write(null);
            note.textContent = "";
            typed();
            return;
          }
          try {
            var parsed = JSON.parse(raw);
            write(parsed);
            note.textContent = "";
            area.classList.remove("fd-invalid");
            typed();
          } catch (error) {
            note.textContent = t("invalidJson");
            area.classList.add("fd-invalid");
          }
        });
        body.appendChild(area);
        body.appendChild(note);
      }

      function drawBuilder() {
        var current = asRows(owner[prop]) || { join: "all", rows: [] };
        var rows = current.rows;
        var earlier = earlierFields(owner);
        if (rows.length > 1) {
          var join = h("select", { class: "fd-input fd-join", "aria-label": title }, [
            h("option", { value: "all", text: t("all") }),
            h("option", { value: "any", text: t("any") }),
          ]);
          join.value = current.join;
          join.addEventListener("change", function () {
            current.join = join.value;
            write(fromRows(current));
            typed();
          });
          body.appendChild(join);
        } else if (!rows.length) {
          body.appendChild(h("p", { class: "fd-hint", text: earlier.length ? t("always") : t("noEarlierFields") }));
        }
        var list = h("div", { class: "fd-condition__rows" });
        body.appendChild(list);
        rows.forEach(function (leaf, index) {
          list.appendChild(conditionRow(owner, leaf, function () {
            rows.splice(index, 1);
            write(fromRows(current));
            draw();
            typed();
          }, function () {
            write(fromRows(current));
            typed();
          }));
        });
        if (earlier.length) {
          body.appendChild(button(t("addCondition"), function () {
            var field = earlier[earlier.length - 1];
            var op = FF.OPERATORS_FOR[field.type] ? FF.OPERATORS_FOR[field.type][0] : "not_empty";
            var leaf = { field: field.key, op: op };
            var value = defaultValue(field, op);
            if (value !== undefined) leaf.value = value;
            rows.push(leaf);
            write(fromRows(current));
            draw();
            typed();
            var selects = body.querySelectorAll(".fd-cond-field");
            if (selects.length) selects[selects.length - 1].focus();
          }, { class: "fd-button fd-button--small", "data-focus": idOf(owner) + ":" + prop + ":add" }));
        }
      }

      draw();
      return box;
    }

    /** One "field / operator / value" row; `onChange` after an edit, `onRemove` to drop it. */
    function conditionRow(owner, leaf, onRemove, onChange) {
      var row = h("div", { class: "fd-cond-row" });

      function draw() {
        clear(row);
        var earlier = earlierFields(owner);
        var field = fieldByKey(leaf.field);
        var fieldSelect = h("select", { class: "fd-input fd-cond-field", "aria-label": t("field") });
        var keys = earlier.map(function (f) { return f.key; });
        if (keys.indexOf(leaf.field) === -1) {
          fieldSelect.appendChild(h("option", { value: String(leaf.field), text: String(leaf.field) + " " + t("notEarlier") }));
        }
        earlier.forEach(function (f) {
          fieldSelect.appendChild(h("option", { value: f.key, text: (text(f.label) || f.key) + " (" + f.key + ")" }));
        });
        fieldSelect.value = String(leaf.field);
        fieldSelect.addEventListener("change", function () {
          leaf.field = fieldSelect.value;
          var chosen = fieldByKey(leaf.field);
          var allowed = chosen && FF.OPERATORS_FOR[chosen.type] ? FF.OPERATORS_FOR[chosen.type] : [];
          if (allowed.indexOf(leaf.op) === -1) leaf.op = allowed[0] || "not_empty";
          var value = defaultValue(chosen, leaf.op);
          if (value === undefined) delete leaf.value;
          else leaf.value = value;
          draw();
          onChange();
        });
        row.appendChild(fieldSelect);

        var allowed = field && FF.OPERATORS_FOR[field.type] ? FF.OPERATORS_FOR[field.type] : [];
        var opSelect = h("select", { class: "fd-input fd-cond-op", "aria-label": t("operator") });
        if (allowed.indexOf(leaf.op) === -1) {
          opSelect.appendChild(h("option", { value: String(leaf.op), text: String(leaf.op) + " " + t("notAllowed") }));
        }
        allowed.forEach(function (op) {
          opSelect.appendChild(h("option", { value: op, text: (words.operators && words.operators[op]) || op }));
        });
        opSelect.value = String(leaf.op);
        opSelect.addEventListener("change", function () {
          var wasList = leaf.op === "in" || leaf.op === "not_in";
          leaf.op = opSelect.value;
          var isList = leaf.op === "in" || leaf.op === "not_in";
          if (leaf.op === "empty" || leaf.op === "not_empty") delete leaf.value;
          else if (wasList !== isList || !("value" in leaf)) leaf.value = defaultValue(field, leaf.op);
          draw();
          onChange();
        });
        row.appendChild(opSelect);

        if (leaf.op !== "empty" && leaf.op !== "not_empty") {
          if (leaf.op === "in" || leaf.op === "not_in") row.appendChild(listEditor(field, leaf, onChange));
          else {
            row.appendChild(typedValueInput(field, leaf.value, function (value) {
              leaf.value = value;
              onChange();
            }, { "aria-label": t("value"), "class": "fd-input fd-cond-value" }));
          }
        }
        row.appendChild(button("✕", onRemove, { class: "fd-button fd-button--icon", "aria-label": t("remove"), title: t("remove") }));
      }

      draw();
      rowSyncs.push(function () {
        if (!row.isConnected) return false;
        if (!row.contains(document.activeElement)) draw();
        return true;
      });
      return row;
    }

    function listEditor(field, leaf, onChange) {
      if (!Array.isArray(leaf.value)) leaf.value = [];
      var values = leaf.value;
      var box = h("div", { class: "fd-list", role: "group", "aria-label": t("value") });
      var kind = field ? field.type : "text";
      if (kind === "choice") {
        (Array.isArray(field.options) ? field.options.filter(isObject) : []).forEach(function (o) {
          var id = newId();
          var box1 = h("input", { type: "checkbox", id: id, value: String(o.value) });
          box1.checked = values.indexOf(o.value) !== -1;
          box1.addEventListener("change", function () {
            var at = values.indexOf(o.value);
            if (box1.checked && at === -1) values.push(o.value);
            if (!box1.checked && at !== -1) values.splice(at, 1);
            onChange();
          });
          box.appendChild(h("label", { class: "fd-check", for: id }, [box1, " ", text(o.label) || String(o.value)]));
        });
        return box;
      }
      function draw() {
        clear(box);
        values.forEach(function (value, index) {
          var item = h("span", { class: "fd-list__item" });
          item.appendChild(typedValueInput(field, value, function (v) {
            values[index] = v;
            onChange();
          }, { "aria-label": t("value") + " " + (index + 1) }));
          item.appendChild(button("✕", function () {
            values.splice(index, 1);
            draw();
            onChange();
          }, { class: "fd-button fd-button--icon", "aria-label": t("remove") }));
          box.appendChild(item);
        });
        box.appendChild(button(t("addValue"), function () {
          values.push(defaultValue(field, "eq"));
          draw();
          onChange();
          var inputs = box.querySelectorAll(".fd-input");
          if (inputs.length) inputs[inputs.length - 1].focus();
        }, { class: "fd-button fd-button--small" }));
      }
      draw();
      return box;
    }

    // -------------------------------------------------------------------------------
    // Fields
    // -------------------------------------------------------------------------------

    function typeSelect(inTable, value, attributes) {
      var select = h("select", Object.assign({ class: "fd-input" }, attributes || {}));
      FF.FIELD_TYPES.forEach(function (kind) {
        if (inTable && COLUMN_EXCLUDED[kind] && !UNAVAILABLE[kind]) return;
        var unavailable = Boolean(UNAVAILABLE[kind]);
        select.appendChild(h("option", {
          value: kind,
          disabled: unavailable,
          text: unavailable ? typeName(kind) + " — " + t("assetLater") : typeName(kind),
        }));
      });
      if (value) select.value = value;
      return select;
    }

    /** Settings that make no sense for the new type go. */
    function retype(spec, kind) {
      spec.type = kind;
      if (kind !== "choice" && kind !== "multichoice") delete spec.options;
      else if (!Array.isArray(spec.options) || !spec.options.length) spec.options = newField(kind, [], false).options;
      if (kind !== "table") delete spec.columns;
      else if (!Array.isArray(spec.columns) || !spec.columns.length) spec.columns = newField("table", [], false).columns;
      if (kind !== "text") delete spec.pattern;
      if (kind !== "text" && kind !== "textarea") { delete spec.min_length; delete spec.max_length; }
      if (["number", "money", "multichoice", "table"].indexOf(kind) === -1) delete spec.min;
      if (["number", "money", "multichoice", "table", "file"].indexOf(kind) === -1) delete spec.max;
      if (kind === "file") delete spec.min;
      if (!PLACEHOLDER_TYPES[kind]) delete spec.placeholder;
      delete spec.default;
    }

    function moveWithin(list, index, delta) {
      var target = index + delta;
      if (target < 0 || target >= list.length) return false;
      var item = list.splice(index, 1)[0];
      list.splice(target, 0, item);
      return true;
    }

    /** Up at the top of a section goes to the end of the one before; down likewise. */
    function moveField(section, spec, delta) {
      var list = sections();
      var at = section.fields.indexOf(spec);
      if (moveWithin(section.fields, at, delta)) return;
      var s = list.indexOf(section) + delta;
      if (s < 0 || s >= list.length) return;
      section.fields.splice(at, 1);
      if (delta < 0) list[s].fields.push(spec);
      else list[s].fields.unshift(spec);
    }

    /**
     * A field card. `place`: {list (the array holding it), section (null for a column),
     * inTable, siblings()}.
     */
    function fieldCard(spec, place) {
      var inTable = place.inTable;
      var card = h("div", { class: "fd-field" + (inTable ? " fd-field--column" : ""), "data-key": String(spec.key), "data-type": String(spec.type) });
      var head = h("div", { class: "fd-field__head" });
      var body = h("div", { class: "fd-field__body" });
      var open = expanded.has(spec);
      body.hidden = !open;

      if (!inTable) {
        var handle = h("span", { class: "fd-handle", draggable: "true", title: t("drag"), "aria-hidden": "true", text: "⠿" });
        handle.addEventListener("dragstart", function (event) {
          dragging = { spec: spec, section: place.section };
          card.classList.add("fd-dragging");
          if (event.dataTransfer) {
            event.dataTransfer.effectAllowed = "move";
            event.dataTransfer.setData("text/plain", String(spec.key));
            if (event.dataTransfer.setDragImage) event.dataTransfer.setDragImage(card, 16, 16);
          }
        });
        handle.addEventListener("dragend", function () {
          dragging = null;
          card.classList.remove("fd-dragging");
          clearDropMarks();
        });
        head.appendChild(handle);
        card.addEventListener("dragover", function (event) {
          if (!dragging || dragging.spec === spec) return;
          event.preventDefault();
          event.stopPropagation();
          clearDropMarks();
          var box = card.getBoundingClientRect();
          card.classList.add(event.clientY < box.top + box.height / 2 ? "fd-drop-before" : "fd-drop-after");
        });
        card.addEventListener("drop", function (event) {
          if (!dragging || dragging.spec === spec) return;
          event.preventDefault();
          event.stopPropagation();
          var box = card.getBoundingClientRect();
          var after = event.clientY >= box.top + box.height / 2;
          var moving = dragging;
          dragging = null;
          moving.section.fields.splice(moving.section.fields.indexOf(moving.spec), 1);
          var at = place.section.fields.indexOf(spec) + (after ? 1 : 0);
          place.section.fields.splice(at, 0, moving.spec);
          changed();
        });
      }

      var badge = h("span", { class: "fd-badge", text: typeName(spec.type) });
      var title = h("span", { class: "fd-field__title" });
      var keyNote = h("code", { class: "fd-field__key" });
      function refreshHead() {
        title.textContent = text(spec.label) || "—";
        keyNote.textContent = String(spec.key);
        card.setAttribute("data-key", String(spec.key));
        return true;
      }
      refreshHead();
      headRefreshers.push(refreshHead);
      var toggle = button(open ? t("close") : t("edit"), function () {
        if (expanded.has(spec)) expanded.delete(spec);
        else expanded.add(spec);
        var now = expanded.has(spec);
        body.hidden = !now;
        toggle.textContent = now ? t("close") : t("edit");
        toggle.setAttribute("aria-expanded", now ? "true" : "false");
      }, { class: "fd-button fd-toggle", "aria-expanded": open ? "true" : "false", "data-focus": idOf(spec) + ":toggle" });
      toggle.setAttribute("aria-controls", (body.id = newId()));
      head.appendChild(badge);
      head.appendChild(h("span", { class: "fd-field__name" }, [title, " ", keyNote]));
      var tools = h("span", { class: "fd-tools" });
      tools.appendChild(toggle);
      tools.appendChild(button("↑", function () {
        if (place.section) moveField(place.section, spec, -1);
        else moveWithin(place.list, place.list.indexOf(spec), -1);
        changed();
      }, { class: "fd-button fd-button--icon", "aria-label": t("moveUp"), title: t("moveUp"), "data-focus": idOf(spec) + ":up" }));
      tools.appendChild(button("↓", function () {
        if (place.section) moveField(place.section, spec, 1);
        else moveWithin(place.list, place.list.indexOf(spec), 1);
        changed();
      }, { class: "fd-button fd-button--icon", "aria-label": t("moveDown"), title: t("moveDown"), "data-focus": idOf(spec) + ":down" }));
      tools.appendChild(removeButton(t("remove"), function () {
        place.list.splice(place.list.indexOf(spec), 1);
        changed();
      }, { "data-focus": idOf(spec) + ":remove" }));
      head.appendChild(tools);
      card.appendChild(head);
      card.appendChild(body);
      fieldBody(body, spec, place);
      return card;
    }

    function fieldBody(body, spec, place) {
      var inTable = place.inTable;
      var kind = spec.type;
      var grid = h("div", { class: "fd-grid" });
      body.appendChild(grid);

      var typeChooser = typeSelect(inTable, kind, { "data-focus": idOf(spec) + ":type" });
      typeChooser.addEventListener("change", function () {
        retype(spec, typeChooser.value);
        changed();
      });
      grid.appendChild(labelled(t("type"), typeChooser));

      var key = keyInput(spec, place.siblings, inTable ? null : renameReferences);
      grid.appendChild(key.row);
      bilingual(spec, "label", t("labelZh"), t("labelEn"), function (value) {
        key.suggest(value);
      }).forEach(function (row) { grid.appendChild(row); });
      bilingual(spec, "help", t("helpZh"), t("helpEn")).forEach(function (row) { grid.appendChild(row); });
      if (PLACEHOLDER_TYPES[kind]) {
        bilingual(spec, "placeholder", t("placeholderZh"), t("placeholderEn")).forEach(function (row) { grid.appendChild(row); });
      }

      var requiredId = newId();
      var required = h("input", { type: "checkbox", id: requiredId, "data-focus": idOf(spec) + ":required" });
      required.checked = Boolean(spec.required);
      required.addEventListener("change", function () {
        if (required.checked) spec.required = true;
        else delete spec.required;
        typed();
      });
      grid.appendChild(h("div", { class: "fd-row fd-row--check" }, [h("label", { class: "fd-check", for: requiredId }, [required, " ", t("required")])]));

      if (kind !== "file" && kind !== "table") grid.appendChild(defaultEditor(spec));

      function bound(name, labelText, integer) {
        grid.appendChild(labelled(labelText, textInput(spec[name], function (value, input) {
          setOrDelete(spec, name, numberOrText(value, integer));
          input.classList.toggle("fd-invalid", typeof spec[name] === "string");
          typed();
        }, { inputmode: integer ? "numeric" : "decimal", class: "fd-input fd-number" })));
      }
      if (kind === "number" || kind === "money") {
        bound("min", t("min"), false);
        bound("max", t("max"), false);
      }
      if (kind === "multichoice") {
        bound("min", t("minSelections"), true);
        bound("max", t("maxSelections"), true);
      }
      if (kind === "table") {
        bound("min", t("minRows"), true);
        bound("max", t("maxRows"), true);
      }
      if (kind === "file") bound("max", t("maxFiles"), true);
      if (kind === "text" || kind === "textarea") {
        bound("min_length", t("minLength"), true);
        bound("max_length", t("maxLength"), true);
      }
      if (kind === "text") {
        var note = h("p", { class: "fd-hint", "aria-live": "polite" });
        var pattern = textInput(spec.pattern, function (value) {
          setOrDelete(spec, "pattern", value);
          checkPattern();
          typed();
        }, { spellcheck: "false", class: "fd-input fd-pattern" });
        var checkPattern = function () {
          var source = spec.pattern;
          var unreadable = false;
          if (source) {
            var translated = FF.translatePattern(source);
            try {
              new RegExp("^(?:" + (translated ? translated.source : source) + ")$", translated ? "u" + translated.flags : "");
            } catch (error) {
              unreadable = true;
            }
          }
          note.textContent = unreadable ? t("patternUnreadable") : "";
        };
        checkPattern();
        var row = labelled(t("pattern"), pattern, "fd-row--wide");
        row.appendChild(note);
        grid.appendChild(row);
      }

      if (kind === "choice" || kind === "multichoice") body.appendChild(optionsEditor(spec));
      if (kind === "table") body.appendChild(columnsEditor(spec));
      if (!inTable) {
        body.appendChild(conditionEditor(spec, "visible_when", t("visibleWhen")));
        body.appendChild(conditionEditor(spec, "required_when", t("requiredWhen")));
      }
    }

    function defaultEditor(spec) {
      var kind = spec.type;
      var id = newId();
      var row;
      if (kind === "multichoice") {
        var chosen = Array.isArray(spec.default) ? spec.default : [];
        var group = h("div", { class: "fd-list", role: "group", id: id });
        (spec.options || []).filter(isObject).forEach(function (o) {
          var boxId = newId();
          var box = h("input", { type: "checkbox", id: boxId, value: String(o.value) });
          box.checked = chosen.indexOf(o.value) !== -1;
          box.addEventListener("change", function () {
            var values = Array.prototype.filter.call(group.querySelectorAll("input"), function (b) { return b.checked; })
              .map(function (b) { return b.value; });
            setOrDelete(spec, "default", values.length ? values : null);
            typed();
          });
          group.appendChild(h("label", { class: "fd-check", for: boxId }, [box, " ", text(o.label) || String(o.value)]));
        });
        var labelNode = h("span", { class: "fd-label", id: id + "-label", text: t("default") });
        group.setAttribute("aria-labelledby", labelNode.id);
        return h("div", { class: "fd-row fd-row--wide" }, [labelNode, group]);
      }
      if (kind === "choice" || kind === "boolean") {
        var select = h("select", { class: "fd-input", id: id }, [h("option", { value: "", text: t("none") })]);
        if (kind === "boolean") {
          select.appendChild(h("option", { value: "true", text: t("yes") }));
          select.appendChild(h("option", { value: "false", text: t("no") }));
          select.value = spec.default === true ? "true" : spec.default === false ? "false" : "";
        } else {
          (spec.options || []).filter(isObject).forEach(function (o) {
            select.appendChild(h("option", { value: String(o.value), text: text(o.label) || String(o.value) }));
          });
          select.value = typeof spec.default === "string" ? spec.default : "";
        }
        select.addEventListener("change", function () {
          var value = select.value;
          if (kind === "boolean") setOrDelete(spec, "default", value === "" ? null : value === "true");
          else setOrDelete(spec, "default", value);
          typed();
        });
        row = labelled(t("default"), select);
        return row;
      }
      var input = typedValueInput({ type: kind }, spec.default, function (value) {
        setOrDelete(spec, "default", value);
        typed();
      }, { id: id });
      return labelled(t("default"), input);
    }

    function optionsEditor(spec) {
      var box = h("div", { class: "fd-options" }, [h("h4", { class: "fd-subtitle", text: t("options") })]);
      var list = h("ol", { class: "fd-option-list" });
      box.appendChild(list);
      if (!Array.isArray(spec.options)) spec.options = [];
      var options = spec.options;
      options.forEach(function (option, index) {
        if (!isObject(option)) return;
        var item = h("li", { class: "fd-option" });
        var valueInput = textInput(option.value, function (value) {
          autoKeys.delete(option);
          option.value = value;
          typed();
        }, { spellcheck: "false", class: "fd-input fd-option-value", "data-focus": idOf(option) + ":value" });
        item.appendChild(labelled(t("optionValue"), valueInput));
        bilingual(option, "label", t("labelZh"), t("labelEn"), function (value) {
          if (!autoKeys.has(option)) return;
          var taken = options.filter(function (o) { return o !== option && isObject(o); }).map(function (o) { return o.value; });
          option.value = unique(snake(value) || "option_" + (index + 1), taken);
          valueInput.value = option.value;
        }).forEach(function (row) { item.appendChild(row); });
        var tools = h("span", { class: "fd-tools" });
        tools.appendChild(button("↑", function () {
          moveWithin(options, index, -1);
          changed();
        }, { class: "fd-button fd-button--icon", "aria-label": t("moveUp"), "data-focus": idOf(option) + ":up" }));
        tools.appendChild(button("↓", function () {
          moveWithin(options, index, 1);
          changed();
        }, { class: "fd-button fd-button--icon", "aria-label": t("moveDown"), "data-focus": idOf(option) + ":down" }));
        tools.appendChild(button("✕", function () {
          options.splice(index, 1);
          changed();
        }, { class: "fd-button fd-button--icon fd-button--danger", "aria-label": t("remove") }));
        item.appendChild(tools);
        list.appendChild(item);
      });
      box.appendChild(button(t("addOption"), function () {
        var taken = options.filter(isObject).map(function (o) { return o.value; });
        var option = { value: unique("option_" + (options.length + 1), taken), label: { zh: "", en: "" } };
        autoKeys.add(option);
        options.push(option);
        changed();
        var values = box.ownerDocument.querySelectorAll('[data-focus="' + idOf(option) + ':value"]');
        if (values.length) values[0].focus();
      }, { class: "fd-button fd-button--small", "data-focus": idOf(spec) + ":addOption" }));
      return box;
    }

    function columnsEditor(spec) {
      var box = h("div", { class: "fd-columns" }, [h("h4", { class: "fd-subtitle", text: t("columns") })]);
      if (!Array.isArray(spec.columns)) spec.columns = [];
      var columns = spec.columns;
      var siblings = function () { return columns.filter(isObject); };
      columns.forEach(function (column) {
        if (!isObject(column)) return;
        box.appendChild(fieldCard(column, { list: columns, section: null, inTable: true, siblings: siblings }));
      });
      box.appendChild(addBar(true, function (kind) {
        var column = newField(kind, siblings(), true);
        columns.push(column);
        expanded.add(column);
        return column;
      }, t("addColumn"), idOf(spec) + ":addColumn"));
      return box;
    }

    function addBar(inTable, create, label, focusId) {
      var bar = h("div", { class: "fd-add" });
      var select = typeSelect(inTable, "text", { "aria-label": t("fieldType"), class: "fd-input fd-add__type" });
      bar.appendChild(select);
      bar.appendChild(button(label, function () {
        var spec = create(select.value);
        changed();
        var target = root.querySelector('[data-focus="' + idOf(spec) + ':key"]');
        var labelInput = target ? target.closest(".fd-field__body") : null;
        var first = labelInput ? labelInput.querySelectorAll("input[type=text]")[1] : null;
        if (first) first.focus();
      }, { class: "fd-button fd-add__button", "data-focus": focusId }));
      if (!inTable) bar.appendChild(h("p", { class: "fd-hint", text: t("assetLater") }));
      return bar;
    }

    // -------------------------------------------------------------------------------
    // Sections and the whole editor
    // -------------------------------------------------------------------------------

    function clearDropMarks() {
      Array.prototype.forEach.call(root.querySelectorAll(".fd-drop-before, .fd-drop-after, .fd-drop-end"), function (node) {
        node.classList.remove("fd-drop-before", "fd-drop-after", "fd-drop-end");
      });
    }

    function sectionCard(section, index, count) {
      var card = h("section", { class: "fd-section", "data-key": String(section.key) });
      var head = h("div", { class: "fd-section__head" });
      var heading = h("h3", { class: "fd-section__title" });
      var refreshTitle = function () {
        heading.textContent = t("section") + " " + (index + 1) + (text(section.title) ? " · " + text(section.title) : "");
        card.setAttribute("data-key", String(section.key));
        return true;
      };
      refreshTitle();
      headRefreshers.push(refreshTitle);
      head.appendChild(heading);
      var tools = h("span", { class: "fd-tools" });
      tools.appendChild(button("↑", function () {
        moveWithin(def.sections, def.sections.indexOf(section), -1);
        changed();
      }, { class: "fd-button fd-button--icon", "aria-label": t("moveUp"), disabled: index === 0, "data-focus": idOf(section) + ":up" }));
      tools.appendChild(button("↓", function () {
        moveWithin(def.sections, def.sections.indexOf(section), 1);
        changed();
      }, { class: "fd-button fd-button--icon", "aria-label": t("moveDown"), disabled: index === count - 1, "data-focus": idOf(section) + ":down" }));
      tools.appendChild(removeButton(t("removeSection"), function () {
        def.sections.splice(def.sections.indexOf(section), 1);
        changed();
      }, { "data-focus": idOf(section) + ":remove" }, function () { return !section.fields.length; }));
      head.appendChild(tools);
      card.appendChild(head);

      var grid = h("div", { class: "fd-grid" });
      var sectionSiblings = function () { return sections(); };
      grid.appendChild(keyInput(section, sectionSiblings, null).row);
      bilingual(section, "title", t("sectionTitleZh"), t("sectionTitleEn")).forEach(function (row) { grid.appendChild(row); });
      card.appendChild(grid);
      card.appendChild(conditionEditor(section, "visible_when", t("visibleWhen")));

      var list = h("div", { class: "fd-fields" });
      list.addEventListener("dragover", function (event) {
        if (!dragging) return;
        event.preventDefault();
        clearDropMarks();
        list.classList.add("fd-drop-end");
      });
      list.addEventListener("dragleave", function (event) {
        if (event.target === list) list.classList.remove("fd-drop-end");
      });
      list.addEventListener("drop", function (event) {
        if (!dragging) return;
        event.preventDefault();
        var moving = dragging;
        dragging = null;
        moving.section.fields.splice(moving.section.fields.indexOf(moving.spec), 1);
        section.fields.push(moving.spec);
        changed();
      });
      if (!section.fields.length) list.appendChild(h("p", { class: "fd-hint fd-empty", text: t("noFields") }));
      section.fields.forEach(function (spec) {
        if (!isObject(spec)) return;
        list.appendChild(fieldCard(spec, { list: section.fields, section: section, inTable: false, siblings: allFields }));
      });
      card.appendChild(list);
      card.appendChild(addBar(false, function (kind) {
        var spec = newField(kind, allFields(), false);
        section.fields.push(spec);
        expanded.add(spec);
        return spec;
      }, t("addField"), idOf(section) + ":addField"));
      return card;
    }

    function build() {
      rowSyncs = [];
      headRefreshers = [];
      clear(root);
      root.classList.add("fd-designer");
      if (problem) root.appendChild(h("p", { class: "fd-warning", role: "alert", text: problem }));
      var list = sections();
      list.forEach(function (section, index) {
        root.appendChild(sectionCard(section, index, list.length));
      });
      root.appendChild(h("div", { class: "fd-add fd-add--section" }, [button(t("addSection"), function () {
        var taken = sections().map(function (s) { return s.key; });
        def.sections.push({ key: unique("section_" + (taken.length + 1), taken), title: { zh: "", en: "" }, fields: [] });
        problem = null;
        changed();
      }, { class: "fd-button fd-add__section", "data-focus": uid + ":addSection" })]));
    }

    // The raw JSON in the textarea may be edited by hand: take it when it is valid.
    textarea.addEventListener("input", function () {
      var parsed;
      try {
        parsed = normaliseDefinition(JSON.parse(textarea.value));
      } catch (error) {
        parsed = null;
      }
      if (parsed === null) {
        problem = words.malformed;
        var shown = root.querySelector(".fd-warning");
        if (!shown) root.insertBefore(h("p", { class: "fd-warning", role: "alert", text: problem }), root.firstChild);
        return;
      }
      def = parsed;
      problem = null;
      build();
      renderPreview();
    });

    var parent = root.parentNode;
    if (parent && preview && preview.parentNode && parent.contains(preview) && !parent.classList.contains("ff-designer-layout")) {
      parent.classList.add("fd-layout");
    }
    build();
    renderPreview();

    return {
      definition: function () { return def; },
      refresh: function () { build(); writeBack(); },
      element: root,
    };
  }

  function init(root, options) {
    if (root.__facilisDesigner) return root.__facilisDesigner;
    var settings = options || {};
    var textarea = settings.textarea || document.getElementById(root.getAttribute("data-form-designer"));
    if (!textarea) {
      if (global.console) global.console.error("Form designer: no textarea for", root);
      return null;
    }
    var previewId = root.getAttribute("data-preview");
    var designer = Designer(root, {
      textarea: textarea,
      preview: settings.preview || (previewId ? document.getElementById(previewId) : null),
      lang: settings.lang || root.getAttribute("data-lang") || document.documentElement.lang || "zh",
      messages: settings.messages ? merge(DEFAULT_MESSAGES, settings.messages) : readMessages(root),
    });
    root.__facilisDesigner = designer;
    return designer;
  }

  function autoInit() {
    if (!FF) {
      if (global.console) global.console.error("Form designer: load runtime.js first");
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-form-designer]"), function (root) {
      init(root);
    });
  }

  global.FacilisDesigner = { init: init, autoInit: autoInit, MESSAGES: DEFAULT_MESSAGES, snake: snake };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", autoInit);
  else autoInit();
})(window);
