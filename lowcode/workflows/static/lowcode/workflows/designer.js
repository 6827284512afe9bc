/* Facilis approval workflows: the step-list designer for tenant administrators (plain ES2019,
 * no build step).
 *
 *   <div data-workflow-designer="workflow-draft" data-lang="zh"
 *        data-messages="workflow-designer-messages" data-choices="workflow-designer-choices"
 *        data-problems="workflow-designer-problems"></div>
 *   <details><summary>Definition (JSON)</summary>
 *     <textarea id="workflow-draft" name="draft">{"steps": […]}</textarea></details>
 *   <script type="application/json" id="workflow-designer-choices">
 *     {"people": [{"id", "name", "username"}], "roles": [{"code", "name"}],
 *      "workgroups": [{"code", "name"}], "departments": [{"id", "name", "depth"}]}</script>
 *   <script type="application/json" id="workflow-designer-messages">{"addStep": "添加步骤", …}</script>
 *   <script type="application/json" id="workflow-designer-problems">[{"where", "message"}]</script>
 *
 * The definition format is lowcode/workflows/definition.py's (approval / notify / branch /
 * action steps). Every change writes the definition back into the textarea, which the page's
 * form posts; the server's check() stays the judge of what may be published. The designer only
 * offers what makes sense: a branch goes to a later step or the end, a rejection goes to the
 * requester or back to an earlier approval, each kind of approver gets the input it needs.
 *
 * A textarea that is not valid JSON, or not {"steps": […]}, is never overwritten: the designer
 * says so and waits until the text parses again (it listens to the textarea's input).
 * Properties the designer does not know are kept as they are.
 *
 * The DOM is built with createElement / textContent / setAttribute only.
 */
(function (global) {
  "use strict";

  var DEFAULT_MESSAGES = {
    addStep: "Add step",
    stepKind: "Kind of step",
    tooManySteps: "At most 50 steps.",
    remove: "Remove",
    confirmRemove: "Click again to remove",
    moveUp: "Move up",
    moveDown: "Move down",
    edit: "Edit",
    close: "Close",
    key: "Step key",
    kind: "Kind of step",
    nameZh: "Name (中文)",
    nameEn: "Name (English)",
    badKey: "Start with a lower-case letter; then lower-case letters, digits or _ (at most 40); not “end”.",
    duplicateKey: "Another step already uses this key.",
    noSteps: "No steps yet: add the first one below.",
    malformed: "The definition in the text box is not valid JSON. The designer waits until it is fixed there.",
    unknownShape: "The definition in the text box is not a list of steps. The designer waits until it is fixed there.",
    notAnObject: "This step cannot be shown here; fix it in the definition (JSON) or remove it.",
    unknownKind: "Unknown kind of step: choose one, or fix it in the definition (JSON).",
    notAList: "This is not a list in the definition (JSON); adding here replaces it.",
    serverSaid: "At the last save:",
    mode: "Who must approve",
    n: "N (approvals needed)",
    approvers: "Approvers",
    addApprover: "Add approver",
    recipients: "Recipients",
    addRecipient: "Add recipient",
    assignees: "For whom",
    addAssignee: "Add a person or group",
    taskTitleZh: "Task (中文)",
    taskTitleEn: "Task (English)",
    noApprovers: "Nobody yet: add at least one rule.",
    approverType: "Kind of approver",
    person: "Person",
    role: "Role",
    workgroup: "Workgroup",
    department: "Department",
    levels: "Levels up",
    levelsHint: "1 is the head of the requester's own department, 2 the one above, …",
    formField: "Form field (key)",
    unknownChoice: "(unknown)",
    notValid: "(not valid here)",
    none: "—",
    fallback: "When nobody is found",
    onReject: "When rejected",
    toRequester: "Back to the requester (the workflow ends)",
    backTo: "Back to {step}",
    sameStep: "This step again",
    timeLimit: "Time limit (working hours)",
    remindBefore: "Remind before the limit (working hours)",
    onTimeout: "When the time is up",
    ways: "Ways out",
    way: "Way out {n}",
    addWay: "Add way out",
    noWays: "No way out yet: add one.",
    when: "Condition",
    goto: "Then go to",
    otherwise: "Otherwise",
    nextStep: "Go on with the next step ({step})",
    nextIsEnd: "Go on: the end (no later step)",
    end: "The end (finished)",
    all: "all of",
    any: "any of",
    addCondition: "Add condition",
    advanced: "Advanced (JSON)",
    invalidJson: "Not valid JSON: the last valid condition is kept.",
    complexCondition: "This condition is too complex for the simple editor.",
    field: "Field",
    operator: "Operator",
    value: "Value",
    valueHint: "Numbers are compared as numbers; for “is one of” separate the values with commas.",
    action: "Action",
    fieldToSet: "Field to set (key)",
    newValue: "New value",
    event: "Event",
    kinds: { approval: "Approval", notify: "Notify", branch: "Branch", action: "Automatic action" },
    modes: { one: "One person (the first found)", any: "Any one of them (或签)", all: "All of them (会签)", n_of_m: "N of them" },
    approverTypes: {
      requester_head: "The requester's head",
      role: "People with a role",
      workgroup: "Members of a workgroup",
      user: "A person",
      department: "Members of a department",
      department_head: "Head of a department",
      field: "A person chosen in a form field",
      subject_owner: "The subject's department head",
      previous_choice: "The person the previous approver named",
    },
    fallbacks: { admin: "Ask the administrators", skip: "Skip the step", fail: "Stop the workflow" },
    timeouts: {
      notify_supervisor: "Tell the supervisor",
      reassign: "Hand it to an administrator",
      approve: "Approve automatically",
      reject: "Reject automatically",
    },
    actions: { set_field: "Set a field", emit_event: "Send an event", create_task: "Create a task" },
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

  // The vocabulary of lowcode/workflows/definition.py and lowcode/forms/conditions.py.
  var KEY = /^[a-z][a-z0-9_]{0,39}$/;
  var END = "end";
  var MAX_STEPS = 50;
  var KINDS = ["approval", "notify", "branch", "action"];
  var MODES = ["one", "any", "all", "n_of_m"];
  var APPROVER_TYPES = [
    "requester_head", "role", "workgroup", "user", "department", "department_head", "field",
    "subject_owner", "previous_choice",
  ];
  var PARAMETERS = ["id", "code", "key", "levels"];
  var FALLBACKS = ["admin", "skip", "fail"];
  var TIMEOUTS = ["notify_supervisor", "reassign", "approve", "reject"];
  var ACTIONS = ["set_field", "emit_event", "create_task"];
  var OPERATORS = ["eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "not_contains", "empty", "not_empty"];
  var LIST_OPERATORS = { in: true, not_in: true };
  var NO_VALUE = { empty: true, not_empty: true };
  var CONTEXT_FIELDS = ["amount", "category", "requester_department", "requester_roles"];
  var designers = 0;

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function has(object, name) {
    return Object.prototype.hasOwnProperty.call(object, name);
  }

  /** An element: attributes set with setAttribute, text always as text, never parsed as HTML. */
  function h(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = String(value);
      else node.setAttribute(name, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function merge(base, extra) {
    var out = Object.assign({}, base);
    Object.keys(isObject(extra) ? extra : {}).forEach(function (name) {
      out[name] = isObject(base[name]) && isObject(extra[name]) ? Object.assign({}, base[name], extra[name]) : extra[name];
    });
    return out;
  }

  function readJson(id) {
    var source = id ? document.getElementById(id) : null;
    if (!source) return null;
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      return null;
    }
  }

  /** A key from an English name: lower_snake, starting with a letter, at most 40 characters. */
  function snake(text) {
    var key = String(text || "").toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
    if (key && !/^[a-z]/.test(key)) key = "s_" + key;
    key = key.slice(0, 40).replace(/_+$/, "");
    return key === END ? "end_step" : key;
  }

  function unique(base, taken) {
    if (taken.indexOf(base) === -1) return base;
    var stem = base.slice(0, 36);
    for (var n = 2; ; n += 1) {
      var candidate = stem + "_" + n;
      if (taken.indexOf(candidate) === -1) return candidate;
    }
  }

  /** The text box's definition, or why the designer cannot take it. */
  function parseDefinition(raw) {
    var source = String(raw || "");
    if (!source.trim()) return { definition: { steps: [] } };
    var value;
    try {
      value = JSON.parse(source);
    } catch (error) {
      return { error: "malformed" };
    }
    if (isObject(value) && !Object.keys(value).length) return { definition: { steps: [] } };
    if (!isObject(value) || !Array.isArray(value.steps)) return { error: "unknownShape" };
    return { definition: value };
  }

  /** A value typed in a text box: numbers and true / false as such, anything else as text. */
  function scalar(raw) {
    var text = String(raw).trim();
    if (/^-?(0|[1-9]\d*)(\.\d+)?$/.test(text)) return Number(text);
    if (text === "true") return true;
    if (text === "false") return false;
    return text;
  }

  function parseValue(raw, op) {
    if (LIST_OPERATORS[op]) {
      return String(raw).split(",").map(function (part) { return part.trim(); })
        .filter(function (part) { return part !== ""; }).map(scalar);
    }
    return scalar(raw);
  }

  function showValue(value) {
    if (Array.isArray(value)) return value.map(showValue).join(", ");
    if (value === null || value === undefined) return "";
    if (isObject(value)) return JSON.stringify(value);
    return String(value);
  }

  function isLeaf(node) {
    return isObject(node) && !has(node, "all") && !has(node, "any") && !has(node, "not");
  }

  /** The simple editor's view of a condition ({join, rows}), or null when only JSON can show it. */
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

  function defaultsFor(kind) {
    if (kind === "approval") return { mode: "one", approvers: [], fallback: "admin" };
    if (kind === "notify") return { recipients: [] };
    if (kind === "branch") return { branches: [] };
    if (kind === "action") return { action: "set_field", field: "", value: "" };
    return {};
  }

  function moveWithin(list, index, delta) {
    var target = index + delta;
    if (index < 0 || target < 0 || target >= list.length) return;
    var item = list.splice(index, 1)[0];
    list.splice(target, 0, item);
  }

  // ---------------------------------------------------------------------------------
  // One designer
  // ---------------------------------------------------------------------------------

  function Designer(root, options) {
    var textarea = options.textarea;
    var words = options.messages || merge(DEFAULT_MESSAGES, {});
    var choices = isObject(options.choices) ? options.choices : {};
    var lang = String(options.lang || "zh").indexOf("en") === 0 ? "en" : "zh";
    var uid = "wd" + (designers += 1);
    var serial = 0;
    var ids = new WeakMap(); // object → stable id (focus after a rebuild)
    var collapsed = new WeakSet(); // steps whose editor is closed
    var autoKeys = new WeakSet(); // new steps whose key follows the English name
    var refKeys = new WeakMap(); // step → the key the references use (the last good one)
    var advanced = new WeakSet(); // ways out whose condition shows as JSON
    var stashes = new WeakMap(); // step → {kind: its settings} (switching kinds back and forth)
    var notes = new WeakMap(); // step → what the server said at the last save
    var syncs = []; // refresh what shows keys and names of other steps
    var def = null;
    var problem = null;

    function t(name, params) {
      var message = has(words, name) ? String(words[name]) : name;
      Object.keys(params || {}).forEach(function (param) {
        message = message.split("{" + param + "}").join(String(params[param]));
      });
      return message;
    }

    function word(group, name) {
      return isObject(words[group]) && words[group][name] ? String(words[group][name]) : String(name);
    }

    function text(value) {
      if (isObject(value)) return String(value[lang] || value.zh || value.en || "");
      return typeof value === "string" ? value : "";
    }

    function idOf(object) {
      if (!ids.has(object)) ids.set(object, uid + "-" + (serial += 1));
      return ids.get(object);
    }

    function newId() {
      serial += 1;
      return uid + "-i" + serial;
    }

    function list(name) {
      return Array.isArray(choices[name]) ? choices[name].filter(isObject) : [];
    }

    // -------------------------------------------------------------------------------
    // The model
    // -------------------------------------------------------------------------------

    function load(raw) {
      var parsed = parseDefinition(raw);
      if (parsed.error) {
        def = null;
        problem = t(parsed.error);
      } else {
        def = parsed.definition;
        problem = null;
      }
    }

    function steps() {
      return def.steps;
    }

    function keyed(step) {
      return isObject(step) && typeof step.key === "string" && KEY.test(step.key) && step.key !== END;
    }

    function stepLabel(step) {
      var name = text(step.name);
      return name ? name + " (" + step.key + ")" : String(step.key);
    }

    /** Steps a branch of `step` may go to: the later ones. */
    function laterSteps(step) {
      var index = steps().indexOf(step);
      return steps().slice(index + 1).filter(keyed);
    }

    function earlierApprovals(step) {
      var index = steps().indexOf(step);
      return steps().slice(0, index).filter(function (s) { return keyed(s) && s.kind === "approval"; });
    }

    function newStep(kind) {
      var taken = steps().filter(isObject).map(function (s) { return s.key; });
      var n = 1;
      while (taken.indexOf(kind + "_" + n) !== -1) n += 1;
      var step = Object.assign({ key: kind + "_" + n, kind: kind, name: { zh: "", en: "" } }, defaultsFor(kind));
      autoKeys.add(step);
      return step;
    }

    function changeKind(step, kind) {
      var stash = stashes.get(step) || {};
      stashes.set(step, stash);
      var saved = {};
      Object.keys(step).forEach(function (name) {
        if (name === "key" || name === "kind" || name === "name") return;
        saved[name] = step[name];
        delete step[name];
      });
      if (typeof step.kind === "string") stash[step.kind] = saved;
      step.kind = kind;
      var restore = stash[kind] || defaultsFor(kind);
      Object.keys(restore).forEach(function (name) { step[name] = restore[name]; });
    }

    /** A step's key changed: branches and rejections that named it follow. */
    function renameTargets(oldKey, newKey) {
      steps().forEach(function (s) {
        if (!isObject(s)) return;
        if (s.kind === "branch") {
          (Array.isArray(s.branches) ? s.branches : []).forEach(function (way) {
            if (isObject(way) && way.goto === oldKey) way.goto = newKey;
          });
          if (s.otherwise === oldKey) s.otherwise = newKey;
        }
        if (s.kind === "approval" && s.on_reject === oldKey) s.on_reject = newKey;
      });
    }

    function setNumber(object, name, raw, integer) {
      var value = String(raw).trim();
      if (value === "") {
        delete object[name];
        return;
      }
      var number = Number(value);
      object[name] = isFinite(number) && (!integer || Number.isInteger(number)) ? number : value;
    }

    function setText(object, name, language, value) {
      if (!isObject(object[name])) object[name] = { zh: typeof object[name] === "string" ? object[name] : "", en: "" };
      object[name][language] = value;
    }

    /** What the server's check() said about each step at the last save (kept through moves). */
    function attachNotes(problems) {
      (Array.isArray(problems) ? problems : []).forEach(function (p) {
        var match = isObject(p) ? /^steps\[(\d+)\]/.exec(String(p.where || "")) : null;
        var step = match ? steps()[Number(match[1])] : null;
        if (!isObject(step)) return;
        var mine = notes.get(step) || [];
        mine.push(String(p.message || ""));
        notes.set(step, mine);
      });
    }

    // -------------------------------------------------------------------------------
    // Writing back
    // -------------------------------------------------------------------------------

    function writeBack() {
      textarea.value = JSON.stringify(def, null, 2);
    }

    function runSyncs() {
      syncs = syncs.filter(function (sync) { return sync(); });
    }

    /** Something structural changed: rebuild, write back, keep the focus. */
    function changed() {
      var active = document.activeElement;
      var focus = active && root.contains(active) ? active.getAttribute("data-focus") : null;
      build();
      writeBack();
      if (focus) {
        var again = root.querySelector('[data-focus="' + focus + '"]');
        if (again) again.focus();
      }
    }

    /** A value typed or chosen: write back and refresh what shows keys and names. */
    function typed() {
      writeBack();
      runSyncs();
    }

    function focusLater(selector) {
      var target = root.querySelector(selector);
      if (target) target.focus();
    }

    // -------------------------------------------------------------------------------
    // Small widgets
    // -------------------------------------------------------------------------------

    function labelled(labelText, control, extraClass) {
      if (!control.id) control.id = newId();
      return h("div", { class: "wd-row" + (extraClass ? " " + extraClass : "") }, [
        h("label", { for: control.id, text: labelText }),
        control,
      ]);
    }

    function textInput(value, onInput, attributes) {
      var input = h("input", Object.assign({ type: "text", class: "wd-input" }, attributes || {}));
      input.value = value === null || value === undefined ? "" : String(value);
      input.addEventListener("input", function () { onInput(input.value, input); });
      return input;
    }

    function numberInput(object, name, integer, attributes) {
      var input = h("input", Object.assign({ type: "number", class: "wd-input wd-number", inputmode: integer ? "numeric" : "decimal" }, attributes || {}));
      input.value = object[name] === undefined || object[name] === null ? "" : String(object[name]);
      input.addEventListener("input", function () {
        setNumber(object, name, input.value, integer);
        typed();
      });
      return input;
    }

    function button(label, onClick, attributes) {
      var node = h("button", Object.assign({ type: "button", class: "wd-button", text: label }, attributes || {}));
      node.addEventListener("click", function (event) {
        event.preventDefault();
        onClick(event, node);
      });
      return node;
    }

    /** A remove button that asks for a second click. */
    function removeButton(label, onRemove, attributes) {
      var timer = null;
      var node = button(label, function () {
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
      }, Object.assign({ class: "wd-button wd-button--danger" }, attributes || {}));
      return node;
    }

    /**
     * A select of [value, label] pairs (values as text). A current value that is not offered
     * stays visible, marked, so that nothing is lost silently. `live`: the options depend on
     * other steps' keys and names, and are refreshed when those change.
     */
    function select(getOptions, getCurrent, onChoose, attributes, live) {
      var node = h("select", Object.assign({ class: "wd-input" }, attributes || {}));
      function fill() {
        clear(node);
        var offered = getOptions();
        var current = getCurrent();
        var known = offered.some(function (o) { return o[0] === current.value; });
        if (!known) {
          node.appendChild(h("option", { value: current.value, text: current.label, "data-invalid": "1" }));
        }
        offered.forEach(function (o) { node.appendChild(h("option", { value: o[0], text: o[1] })); });
        node.value = current.value;
        node.classList.toggle("wd-invalid", !known && current.value !== "");
      }
      fill();
      node.addEventListener("change", function () {
        onChoose(node.value);
        if (node.isConnected) fill();
      });
      if (live) {
        syncs.push(function () {
          if (!node.isConnected) return false;
          if (document.activeElement !== node) fill();
          return true;
        });
      }
      return node;
    }

    /** The current value of a select: its text, and how to show it when it is not offered. */
    function current(value, fallback, invalidNote) {
      if (value === undefined || value === null) value = fallback;
      if (value === undefined || value === null || value === "") return { value: "", label: t("none") };
      var shown = typeof value === "string" ? value : JSON.stringify(value);
      return { value: shown, label: shown + " " + (invalidNote || t("notValid")) };
    }

    function pairs(values, group) {
      return values.map(function (value) { return [value, word(group, value)]; });
    }

    // -------------------------------------------------------------------------------
    // Steps
    // -------------------------------------------------------------------------------

    function keyRow(step) {
      var note = h("p", { class: "wd-hint wd-error", "aria-live": "polite" });
      var input = textInput(step.key, function (value) {
        autoKeys.delete(step);
        apply(value);
      }, { spellcheck: "false", autocomplete: "off", class: "wd-input wd-key", "data-field": "key", "data-focus": idOf(step) + ":key" });
      if (!refKeys.has(step)) refKeys.set(step, step.key);
      function problemOf(value) {
        if (typeof value !== "string" || !KEY.test(value) || value === END) return t("badKey");
        var others = steps().some(function (s) { return s !== step && isObject(s) && s.key === value; });
        return others ? t("duplicateKey") : "";
      }
      function show() {
        var found = problemOf(step.key);
        note.textContent = found;
        input.classList.toggle("wd-invalid", Boolean(found));
      }
      function apply(value) {
        step.key = value;
        show();
        var old = refKeys.get(step);
        if (!problemOf(value) && old !== value) {
          // References follow the rename, unless another step has taken the old key meanwhile.
          var taken = steps().some(function (s) { return s !== step && isObject(s) && s.key === old; });
          if (!taken && typeof old === "string") renameTargets(old, value);
          refKeys.set(step, value);
        }
        typed();
      }
      show();
      var row = labelled(t("key"), input, "wd-row--key");
      row.appendChild(note);
      return {
        row: row,
        suggest: function (name) {
          if (!autoKeys.has(step)) return;
          var taken = steps().filter(function (s) { return s !== step && isObject(s); }).map(function (s) { return s.key; });
          var value = unique(snake(name) || step.kind + "_1", taken);
          input.value = value;
          apply(value);
        },
      };
    }

    function nameRows(step, afterEn) {
      var zh = textInput(isObject(step.name) ? step.name.zh : typeof step.name === "string" ? step.name : "", function (value) {
        setText(step, "name", "zh", value);
        typed();
      }, { "data-field": "name-zh", "data-focus": idOf(step) + ":name-zh" });
      var en = textInput(isObject(step.name) ? step.name.en : "", function (value) {
        setText(step, "name", "en", value);
        afterEn(value);
        typed();
      }, { "data-field": "name-en", "data-focus": idOf(step) + ":name-en" });
      return [labelled(t("nameZh"), zh), labelled(t("nameEn"), en)];
    }

    function stepCard(step, index, count) {
      var card = h("li", { class: "wd-step", "data-index": String(index) });
      var head = h("div", { class: "wd-step__head" });
      var badge = h("span", { class: "wd-badge" });
      var title = h("span", { class: "wd-step__title" });
      var keyNote = h("code", { class: "wd-step__key" });
      head.appendChild(h("span", { class: "wd-step__number", text: String(index + 1) }));
      head.appendChild(badge);
      head.appendChild(h("span", { class: "wd-step__name" }, [title, " ", keyNote]));
      var focusId = isObject(step) ? idOf(step) : newId();
      var refreshHead = function () {
        if (isObject(step)) {
          card.setAttribute("data-key", String(step.key));
          card.setAttribute("data-kind", String(step.kind));
          badge.textContent = KINDS.indexOf(step.kind) !== -1 ? word("kinds", step.kind) : String(step.kind);
          title.textContent = text(step.name);
          keyNote.textContent = String(step.key === undefined ? "" : step.key);
        } else {
          badge.textContent = "?";
        }
      };
      refreshHead();
      syncs.push(function () {
        if (!card.isConnected) return false;
        refreshHead();
        return true;
      });

      var tools = h("span", { class: "wd-tools" });
      tools.appendChild(button("↑", function () {
        moveWithin(steps(), steps().indexOf(step), -1);
        changed();
      }, { class: "wd-button wd-button--icon", "aria-label": t("moveUp"), title: t("moveUp"), disabled: index === 0, "data-action": "up", "data-focus": focusId + ":up" }));
      tools.appendChild(button("↓", function () {
        moveWithin(steps(), steps().indexOf(step), 1);
        changed();
      }, { class: "wd-button wd-button--icon", "aria-label": t("moveDown"), title: t("moveDown"), disabled: index === count - 1, "data-action": "down", "data-focus": focusId + ":down" }));
      if (isObject(step)) {
        var open = !collapsed.has(step);
        tools.appendChild(button(open ? t("close") : t("edit"), function () {
          if (collapsed.has(step)) collapsed.delete(step);
          else collapsed.add(step);
          changed();
        }, { "aria-expanded": open ? "true" : "false", "data-action": "toggle", "data-focus": idOf(step) + ":toggle" }));
      }
      tools.appendChild(removeButton(t("remove"), function () {
        steps().splice(steps().indexOf(step), 1);
        changed();
      }, { "data-action": "remove" }));
      head.appendChild(tools);
      card.appendChild(head);

      if (!isObject(step)) {
        card.appendChild(h("p", { class: "wd-warning", text: t("notAnObject") }));
        card.appendChild(h("pre", { class: "wd-raw", text: JSON.stringify(step) }));
        return card;
      }
      if (collapsed.has(step)) return card;

      var body = h("div", { class: "wd-step__body" });
      var said = notes.get(step);
      if (said && said.length) {
        body.appendChild(h("div", { class: "wd-notes" }, [
          h("span", { text: t("serverSaid") }),
          h("ul", {}, said.map(function (message) { return h("li", { text: message }); })),
        ]));
      }
      var grid = h("div", { class: "wd-grid wd-grid--head" });
      var key = keyRow(step);
      grid.appendChild(key.row);
      var kindSelect = select(function () { return pairs(KINDS, "kinds"); }, function () {
        return current(step.kind, "", t("unknownChoice"));
      }, function (value) {
        changeKind(step, value);
        changed();
      }, { "data-field": "kind", "data-focus": idOf(step) + ":kind" });
      grid.appendChild(labelled(t("kind"), kindSelect));
      nameRows(step, key.suggest).forEach(function (row) { grid.appendChild(row); });
      body.appendChild(grid);

      if (step.kind === "approval") approvalEditor(step, body);
      else if (step.kind === "notify") body.appendChild(rulesEditor(step, "recipients", t("recipients"), t("addRecipient")));
      else if (step.kind === "branch") branchEditor(step, body);
      else if (step.kind === "action") actionEditor(step, body);
      else body.appendChild(h("p", { class: "wd-warning", text: t("unknownKind") }));
      card.appendChild(body);
      return card;
    }

    // -------------------------------------------------------------------------------
    // Approval steps
    // -------------------------------------------------------------------------------

    function approvalEditor(step, body) {
      var grid = h("div", { class: "wd-grid" });
      grid.appendChild(labelled(t("mode"), select(function () { return pairs(MODES, "modes"); }, function () {
        return current(step.mode, "one");
      }, function (value) {
        step.mode = value;
        if (value === "n_of_m" && !has(step, "n")) step.n = 1;
        if (value !== "n_of_m") delete step.n;
        changed();
      }, { "data-field": "mode", "data-focus": idOf(step) + ":mode" })));
      if (step.mode === "n_of_m" || has(step, "n")) {
        grid.appendChild(labelled(t("n"), numberInput(step, "n", true, { min: "1", step: "1", "data-field": "n" })));
      }
      body.appendChild(grid);
      body.appendChild(rulesEditor(step, "approvers", t("approvers"), t("addApprover")));

      var more = h("div", { class: "wd-grid" });
      more.appendChild(labelled(t("fallback"), select(function () { return pairs(FALLBACKS, "fallbacks"); }, function () {
        return current(step.fallback, "admin");
      }, function (value) {
        step.fallback = value;
        typed();
      }, { "data-field": "fallback" })));
      more.appendChild(labelled(t("onReject"), select(function () {
        var offered = [["requester", t("toRequester")]];
        earlierApprovals(step).forEach(function (s) { offered.push([s.key, t("backTo", { step: stepLabel(s) })]); });
        if (keyed(step)) offered.push([step.key, t("sameStep")]);
        return offered;
      }, function () {
        return current(step.on_reject, "requester");
      }, function (value) {
        step.on_reject = value;
        typed();
      }, { "data-field": "on_reject" }, true)));
      more.appendChild(labelled(t("timeLimit"), numberInput(step, "time_limit_hours", false, { min: "1", max: "2000", step: "any", "data-field": "time_limit_hours" })));
      more.appendChild(labelled(t("remindBefore"), numberInput(step, "remind_before_hours", false, { min: "0", step: "any", "data-field": "remind_before_hours" })));
      more.appendChild(labelled(t("onTimeout"), select(function () { return pairs(TIMEOUTS, "timeouts"); }, function () {
        return current(step.on_timeout, "notify_supervisor");
      }, function (value) {
        step.on_timeout = value;
        typed();
      }, { "data-field": "on_timeout" })));
      body.appendChild(more);
    }

    // -------------------------------------------------------------------------------
    // Approver rules (approval steps' approvers, notify steps' recipients)
    // -------------------------------------------------------------------------------

    function setRuleDefaults(rule) {
      var first;
      if (rule.type === "user") {
        first = list("people")[0];
        if (first) rule.id = first.id;
      } else if (rule.type === "role" || rule.type === "workgroup") {
        first = list(rule.type === "role" ? "roles" : "workgroups")[0];
        if (first) rule.code = first.code;
      } else if (rule.type === "department" || rule.type === "department_head") {
        first = list("departments")[0];
        if (first) rule.id = first.id;
      } else if (rule.type === "requester_head") {
        rule.levels = 1;
      } else if (rule.type === "field") {
        rule.key = "";
      }
    }

    function ruleParameter(rule) {
      var type = rule.type;
      var attributes = { "data-field": "param", "data-focus": idOf(rule) + ":param" };
      if (type === "user") {
        return labelled(t("person"), select(function () {
          return list("people").map(function (p) { return [String(p.id), p.name + " (" + p.username + ")"]; });
        }, function () {
          return current(rule.id, "", t("unknownChoice"));
        }, function (value) {
          rule.id = Number(value);
          typed();
        }, attributes));
      }
      if (type === "role" || type === "workgroup") {
        return labelled(t(type), select(function () {
          return list(type === "role" ? "roles" : "workgroups").map(function (r) { return [String(r.code), r.name + " (" + r.code + ")"]; });
        }, function () {
          return current(rule.code, "", t("unknownChoice"));
        }, function (value) {
          rule.code = value;
          typed();
        }, attributes));
      }
      if (type === "department" || type === "department_head") {
        return labelled(t("department"), select(function () {
          return list("departments").map(function (d) {
            var depth = Math.max(0, Number(d.depth || 1) - 1);
            return [String(d.id), "\u00a0\u00a0".repeat(depth) + d.name];
          });
        }, function () {
          return current(rule.id, "", t("unknownChoice"));
        }, function (value) {
          rule.id = Number(value);
          typed();
        }, attributes));
      }
      if (type === "requester_head") {
        var levels = [];
        for (var n = 1; n <= 10; n += 1) levels.push([String(n), String(n)]);
        var row = labelled(t("levels"), select(function () { return levels; }, function () {
          return current(rule.levels, 1);
        }, function (value) {
          rule.levels = Number(value);
          typed();
        }, attributes));
        row.appendChild(h("p", { class: "wd-hint", text: t("levelsHint") }));
        return row;
      }
      if (type === "field") {
        return labelled(t("formField"), textInput(rule.key, function (value) {
          rule.key = value;
          typed();
        }, Object.assign({ spellcheck: "false", autocomplete: "off", class: "wd-input wd-key" }, attributes)));
      }
      return null;
    }

    function ruleRow(rules, rule) {
      var item = h("li", { class: "wd-rule" });
      var remove = button("✕", function () {
        rules.splice(rules.indexOf(rule), 1);
        changed();
      }, { class: "wd-button wd-button--icon wd-button--danger", "aria-label": t("remove"), title: t("remove"), "data-action": "remove-rule" });
      if (!isObject(rule)) {
        item.appendChild(h("code", { class: "wd-raw", text: JSON.stringify(rule) }));
        item.appendChild(remove);
        return item;
      }
      item.setAttribute("data-type", String(rule.type));
      item.appendChild(labelled(t("approverType"), select(function () { return pairs(APPROVER_TYPES, "approverTypes"); }, function () {
        return current(rule.type, "", t("unknownChoice"));
      }, function (value) {
        PARAMETERS.forEach(function (name) { delete rule[name]; });
        rule.type = value;
        setRuleDefaults(rule);
        changed();
      }, { "data-field": "type", "data-focus": idOf(rule) + ":type" })));
      var parameter = ruleParameter(rule);
      item.appendChild(parameter || h("div", { class: "wd-row" }));
      item.appendChild(remove);
      return item;
    }

    function rulesEditor(step, prop, title, addLabel) {
      var box = h("div", { class: "wd-rules", "data-prop": prop });
      box.appendChild(h("h4", { class: "wd-subtitle", text: title }));
      var rules = Array.isArray(step[prop]) ? step[prop] : [];
      if (step[prop] !== undefined && !Array.isArray(step[prop])) box.appendChild(h("p", { class: "wd-warning", text: t("notAList") }));
      else if (!rules.length) box.appendChild(h("p", { class: "wd-hint", text: t("noApprovers") }));
      var items = h("ul", { class: "wd-rule-list" });
      rules.forEach(function (rule) { items.appendChild(ruleRow(rules, rule)); });
      box.appendChild(items);
      var bar = h("div", { class: "wd-add" });
      var typeSelect = h("select", { class: "wd-input wd-add__type", "aria-label": t("approverType"), "data-field": "new-rule-type" });
      APPROVER_TYPES.forEach(function (type) { typeSelect.appendChild(h("option", { value: type, text: word("approverTypes", type) })); });
      bar.appendChild(typeSelect);
      bar.appendChild(button(addLabel, function () {
        var rule = { type: typeSelect.value };
        setRuleDefaults(rule);
        if (!Array.isArray(step[prop])) step[prop] = [];
        step[prop].push(rule);
        changed();
        focusLater('[data-focus="' + idOf(rule) + ':param"]');
      }, { class: "wd-button wd-add__button", "data-action": "add-rule", "data-focus": idOf(step) + ":add-" + prop }));
      box.appendChild(bar);
      return box;
    }

    // -------------------------------------------------------------------------------
    // Branch steps
    // -------------------------------------------------------------------------------

    function targets(step) {
      return laterSteps(step).map(function (s) { return [s.key, stepLabel(s)]; }).concat([[END, t("end")]]);
    }

    function branchEditor(step, body) {
      var box = h("div", { class: "wd-ways" });
      box.appendChild(h("h4", { class: "wd-subtitle", text: t("ways") }));
      if (step.branches !== undefined && !Array.isArray(step.branches)) box.appendChild(h("p", { class: "wd-warning", text: t("notAList") }));
      var ways = Array.isArray(step.branches) ? step.branches : [];
      if (!ways.length) box.appendChild(h("p", { class: "wd-hint", text: t("noWays") }));
      var items = h("ol", { class: "wd-way-list" });
      ways.forEach(function (way, index) { items.appendChild(wayCard(step, ways, way, index)); });
      box.appendChild(items);
      box.appendChild(button(t("addWay"), function () {
        var way = { when: { field: "", op: "eq", value: "" }, goto: END };
        if (!Array.isArray(step.branches)) step.branches = [];
        step.branches.push(way);
        changed();
        focusLater('[data-focus="' + idOf(way) + ':0:field"]');
      }, { class: "wd-button wd-add__button", "data-action": "add-way", "data-focus": idOf(step) + ":add-way" }));
      box.appendChild(labelled(t("otherwise"), select(function () {
        var next = steps()[steps().indexOf(step) + 1];
        var first = keyed(next) ? t("nextStep", { step: stepLabel(next) }) : t("nextIsEnd");
        return [["", first]].concat(targets(step));
      }, function () {
        return current(step.otherwise, "");
      }, function (value) {
        if (value === "") delete step.otherwise;
        else step.otherwise = value;
        typed();
      }, { "data-field": "otherwise" }, true), "wd-row--otherwise"));
      body.appendChild(box);
    }

    function wayCard(step, ways, way, index) {
      var item = h("li", { class: "wd-way", "data-index": String(index) });
      var head = h("div", { class: "wd-way__head" }, [h("span", { class: "wd-way__title", text: t("way", { n: index + 1 }) })]);
      head.appendChild(button("✕", function () {
        ways.splice(ways.indexOf(way), 1);
        changed();
      }, { class: "wd-button wd-button--icon wd-button--danger", "aria-label": t("remove"), title: t("remove"), "data-action": "remove-way" }));
      item.appendChild(head);
      if (!isObject(way)) {
        item.appendChild(h("code", { class: "wd-raw", text: JSON.stringify(way) }));
        return item;
      }
      item.appendChild(conditionEditor(way));
      item.appendChild(labelled(t("goto"), select(function () { return targets(step); }, function () {
        return current(way.goto, "");
      }, function (value) {
        way.goto = value;
        typed();
      }, { "data-field": "goto", "data-focus": idOf(way) + ":goto" }, true)));
      return item;
    }

    function conditionEditor(way) {
      var box = h("div", { class: "wd-condition" });
      var head = h("div", { class: "wd-condition__head" }, [h("span", { class: "wd-condition__title", text: t("when") })]);
      var toggleId = newId();
      var toggle = h("input", { type: "checkbox", id: toggleId, "data-field": "advanced", "data-focus": idOf(way) + ":advanced" });
      if (asRows(way.when) === null) advanced.add(way);
      toggle.checked = advanced.has(way);
      head.appendChild(h("label", { class: "wd-check", for: toggleId }, [toggle, " ", t("advanced")]));
      box.appendChild(head);
      var body = h("div", { class: "wd-condition__body" });
      box.appendChild(body);
      var note = h("p", { class: "wd-hint", "aria-live": "polite" });

      toggle.addEventListener("change", function () {
        if (!toggle.checked && asRows(way.when) === null) {
          toggle.checked = true; // the simple editor cannot show this condition
          note.textContent = t("complexCondition");
          return;
        }
        if (toggle.checked) advanced.add(way);
        else advanced.delete(way);
        draw();
      });

      function write(condition) {
        if (condition === null) delete way.when;
        else way.when = condition;
      }

      function draw() {
        clear(body);
        note.textContent = "";
        if (advanced.has(way)) drawJson();
        else drawRows();
      }

      function drawJson() {
        var area = h("textarea", { class: "wd-input wd-json", rows: "4", spellcheck: "false", "aria-label": t("when") + " — " + t("advanced"), "data-field": "condition-json" });
        area.value = way.when === undefined ? "" : JSON.stringify(way.when, null, 1);
        area.addEventListener("input", function () {
          var raw = area.value.trim();
          if (!raw) {
            write(null);
            note.textContent = "";
            area.classList.remove("wd-invalid");
            typed();
            return;
          }
          try {
            write(JSON.parse(raw));
            note.textContent = "";
            area.classList.remove("wd-invalid");
            typed();
          } catch (error) {
            note.textContent = t("invalidJson");
            area.classList.add("wd-invalid");
          }
        });
        body.appendChild(area);
        body.appendChild(note);
      }

      function drawRows() {
        var view = asRows(way.when);
        if (view.rows.length > 1) {
          var join = h("select", { class: "wd-input wd-join", "aria-label": t("when"), "data-field": "join" }, [
            h("option", { value: "all", text: t("all") }),
            h("option", { value: "any", text: t("any") }),
          ]);
          join.value = view.join;
          join.addEventListener("change", function () {
            view.join = join.value;
            write(fromRows(view));
            typed();
          });
          body.appendChild(join);
        }
        var rows = h("div", { class: "wd-condition__rows" });
        view.rows.forEach(function (leaf, index) {
          rows.appendChild(conditionRow(way, leaf, index, function () {
            view.rows.splice(view.rows.indexOf(leaf), 1);
            write(fromRows(view));
            draw();
            typed();
          }));
        });
        body.appendChild(rows);
        body.appendChild(button(t("addCondition"), function () {
          view.rows.push({ field: "", op: "eq", value: "" });
          write(fromRows(view));
          draw();
          typed();
          focusLater('[data-focus="' + idOf(way) + ":" + (view.rows.length - 1) + ':field"]');
        }, { class: "wd-button wd-button--small", "data-action": "add-condition" }));
        body.appendChild(h("p", { class: "wd-hint", text: t("valueHint") }));
        body.appendChild(note);
      }

      draw();
      return box;
    }

    /** One "field / operator / value" row of a condition. */
    function conditionRow(way, leaf, index, onRemove) {
      var row = h("div", { class: "wd-cond-row" });
      var focusBase = idOf(way) + ":" + index + ":";

      function draw() {
        clear(row);
        row.appendChild(textInput(leaf.field, function (value) {
          leaf.field = value.trim();
          typed();
        }, { class: "wd-input wd-key", list: uid + "-fields", spellcheck: "false", autocomplete: "off", "aria-label": t("field"), placeholder: t("field"), "data-field": "cond-field", "data-focus": focusBase + "field" }));
        row.appendChild(select(function () { return pairs(OPERATORS, "operators"); }, function () {
          return current(leaf.op, "", t("unknownChoice"));
        }, function (op) {
          var value = leaf.value;
          leaf.op = op;
          if (NO_VALUE[op]) delete leaf.value;
          else if (LIST_OPERATORS[op]) leaf.value = Array.isArray(value) ? value : value === undefined || value === "" ? [] : [value];
          else leaf.value = Array.isArray(value) ? (value.length ? value[0] : "") : value === undefined ? "" : value;
          draw();
          var again = row.querySelector("[data-field=cond-op]");
          if (again) again.focus();
          typed();
        }, { class: "wd-input wd-cond-op", "aria-label": t("operator"), "data-field": "cond-op", "data-focus": focusBase + "op" }));
        if (!NO_VALUE[leaf.op]) {
          row.appendChild(textInput(showValue(leaf.value), function (value) {
            leaf.value = parseValue(value, leaf.op);
            typed();
          }, { class: "wd-input", "aria-label": t("value"), placeholder: t("value"), "data-field": "cond-value", "data-focus": focusBase + "value" }));
        } else {
          row.appendChild(h("span"));
        }
        row.appendChild(button("✕", onRemove, { class: "wd-button wd-button--icon", "aria-label": t("remove"), title: t("remove"), "data-action": "remove-condition" }));
      }

      draw();
      return row;
    }

    // -------------------------------------------------------------------------------
    // Action steps
    // -------------------------------------------------------------------------------

    function actionEditor(step, body) {
      var grid = h("div", { class: "wd-grid" });
      grid.appendChild(labelled(t("action"), select(function () { return pairs(ACTIONS, "actions"); }, function () {
        return current(step.action, "", t("unknownChoice"));
      }, function (value) {
        delete step.field;
        delete step.value;
        delete step.event;
        delete step.title;
        delete step.assignees;
        step.action = value;
        if (value === "set_field") {
          step.field = "";
          step.value = "";
        } else if (value === "create_task") {
          step.title = { zh: "", en: "" };
          step.assignees = [];
        } else {
          step.event = "";
        }
        changed();
      }, { "data-field": "action", "data-focus": idOf(step) + ":action" })));
      if (step.action === "set_field") {
        grid.appendChild(labelled(t("fieldToSet"), textInput(step.field, function (value) {
          step.field = value.trim();
          typed();
        }, { class: "wd-input wd-key", spellcheck: "false", autocomplete: "off", "data-field": "action-field" })));
        var valueRow = labelled(t("newValue"), textInput(showValue(step.value), function (value) {
          step.value = scalar(value);
          typed();
        }, { "data-field": "action-value" }));
        grid.appendChild(valueRow);
      } else if (step.action === "create_task") {
        if (!step.title || typeof step.title !== "object") step.title = { zh: typeof step.title === "string" ? step.title : "", en: "" };
        grid.appendChild(labelled(t("taskTitleZh"), textInput(step.title.zh || "", function (value) {
          step.title.zh = value;
          typed();
        }, { "data-field": "task-title-zh" })));
        grid.appendChild(labelled(t("taskTitleEn"), textInput(step.title.en || "", function (value) {
          step.title.en = value;
          typed();
        }, { "data-field": "task-title-en" })));
        body.appendChild(grid);
        body.appendChild(rulesEditor(step, "assignees", t("assignees"), t("addAssignee")));
        return;
      } else if (step.action === "emit_event") {
        grid.appendChild(labelled(t("event"), textInput(step.event, function (value) {
          step.event = value.trim();
          typed();
        }, { class: "wd-input wd-key", spellcheck: "false", autocomplete: "off", "data-field": "event" })));
      }
      body.appendChild(grid);
    }

    // -------------------------------------------------------------------------------
    // The whole editor
    // -------------------------------------------------------------------------------

    function addStepBar() {
      var bar = h("div", { class: "wd-add wd-add--step" });
      var kindSelect = h("select", { class: "wd-input wd-add__type", "aria-label": t("stepKind"), "data-field": "new-kind" });
      KINDS.forEach(function (kind) { kindSelect.appendChild(h("option", { value: kind, text: word("kinds", kind) })); });
      var full = steps().length >= MAX_STEPS;
      bar.appendChild(kindSelect);
      bar.appendChild(button(t("addStep"), function () {
        var step = newStep(kindSelect.value);
        steps().push(step);
        changed();
        focusLater('[data-focus="' + idOf(step) + ':name-zh"]');
      }, { class: "wd-button wd-add__button", disabled: full, "data-action": "add-step", "data-focus": uid + ":add-step" }));
      if (full) bar.appendChild(h("p", { class: "wd-hint", text: t("tooManySteps") }));
      return bar;
    }

    function build() {
      syncs = [];
      clear(root);
      root.classList.add("wd-designer");
      if (def === null) {
        root.setAttribute("data-state", "waiting");
        root.appendChild(h("p", { class: "wd-warning", role: "alert", text: problem }));
        var details = textarea.closest ? textarea.closest("details") : null;
        if (details) details.open = true;
        return;
      }
      root.setAttribute("data-state", "ready");
      var fields = h("datalist", { id: uid + "-fields" });
      CONTEXT_FIELDS.forEach(function (name) { fields.appendChild(h("option", { value: name })); });
      root.appendChild(fields);
      if (!steps().length) root.appendChild(h("p", { class: "wd-hint wd-empty", text: t("noSteps") }));
      var items = h("ol", { class: "wd-steps" });
      steps().forEach(function (step, index) { items.appendChild(stepCard(step, index, steps().length)); });
      root.appendChild(items);
      root.appendChild(addStepBar());
    }

    // The JSON may be edited by hand: the designer follows it whenever it parses.
    textarea.addEventListener("input", function () {
      load(textarea.value);
      build();
    });

    load(textarea.value);
    if (def !== null) attachNotes(options.problems);
    build();

    return {
      definition: function () { return def; },
      refresh: function () {
        build();
        if (def !== null) writeBack();
      },
      element: root,
    };
  }

  function init(root, options) {
    if (root.__facilisWorkflowDesigner) return root.__facilisWorkflowDesigner;
    var settings = options || {};
    var textarea = settings.textarea || document.getElementById(root.getAttribute("data-workflow-designer"));
    if (!textarea) {
      if (global.console) global.console.error("Workflow designer: no textarea for", root);
      return null;
    }
    var given = settings.messages || readJson(root.getAttribute("data-messages"));
    var designer = Designer(root, {
      textarea: textarea,
      lang: settings.lang || root.getAttribute("data-lang") || document.documentElement.lang || "zh",
      messages: merge(DEFAULT_MESSAGES, given),
      choices: settings.choices || readJson(root.getAttribute("data-choices")),
      problems: settings.problems || readJson(root.getAttribute("data-problems")),
    });
    root.__facilisWorkflowDesigner = designer;
    return designer;
  }

  function autoInit() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-workflow-designer]"), function (root) {
      init(root);
    });
  }

  global.FacilisWorkflowDesigner = { init: init, autoInit: autoInit, MESSAGES: DEFAULT_MESSAGES };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", autoInit);
  else autoInit();
})(window);
