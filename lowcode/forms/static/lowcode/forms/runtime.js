/* Facilis low-code forms: the browser runtime (plain ES2019, no build step, no dependencies).
 *
 * The server is the judge: lowcode/forms/definition.py, conditions.py and validation.py.
 * This file mirrors their semantics so that what a person sees (which fields show, which
 * are required, which answers are wrong) is what the server will decide. The shared cases
 * in lowcode/forms/tests/shared_cases.json are run against both.
 *
 *   FacilisForms.evaluate(condition, values[, types])  conditions.evaluate
 *   FacilisForms.clean(fieldSpec, raw)                  {value} or {error: code, params}
 *   FacilisForms.visibleKeys(definition, answers)       validation.validate(...).visible
 *   FacilisForms.analyse(definition, answers)           visible, required, errors, cleaned
 *   FacilisForms.render(container, definition, options) → controller
 *
 * The DOM is built with createElement / textContent / setAttribute only: labels and help
 * texts come from tenant administrators and must show as text, never as markup.
 */
(function (global) {
  "use strict";

  // ---------------------------------------------------------------------------------
  // The engine's vocabulary (definition.py)
  // ---------------------------------------------------------------------------------

  var FIELD_TYPES = [
    "text", "textarea", "number", "money", "date", "time", "datetime", "choice",
    "multichoice", "boolean", "user", "department", "room", "asset", "file", "table",
  ];
  var NUMERIC = new Set(["number", "money"]);
  var REFERENCES = new Set(["user", "department", "room", "asset"]);
  var OPERATORS = new Set([
    "eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "not_contains", "empty", "not_empty",
  ]);
  var ORDERED = new Set(["gt", "gte", "lt", "lte"]);
  var OPERATORS_FOR = {
    text: ["eq", "ne", "in", "not_in", "contains", "not_contains", "empty", "not_empty"],
    textarea: ["contains", "not_contains", "empty", "not_empty"],
    number: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "empty", "not_empty"],
    money: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "empty", "not_empty"],
    date: ["eq", "ne", "gt", "gte", "lt", "lte", "empty", "not_empty"],
    time: ["eq", "ne", "gt", "gte", "lt", "lte", "empty", "not_empty"],
    datetime: ["gt", "gte", "lt", "lte", "empty", "not_empty"],
    choice: ["eq", "ne", "in", "not_in", "empty", "not_empty"],
    multichoice: ["contains", "not_contains", "empty", "not_empty"],
    boolean: ["eq", "ne", "empty", "not_empty"],
    user: ["eq", "ne", "in", "not_in", "empty", "not_empty"],
    department: ["eq", "ne", "in", "not_in", "empty", "not_empty"],
    room: ["eq", "ne", "in", "not_in", "empty", "not_empty"],
    asset: ["eq", "ne", "in", "not_in", "empty", "not_empty"],
    file: ["empty", "not_empty"],
    table: ["empty", "not_empty"],
  };
  var MAX_DEPTH = 8;
  var MAX_TEXT = 10000;

  // ---------------------------------------------------------------------------------
  // Python-compatible helpers
  // ---------------------------------------------------------------------------------

  function hasOwn(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  /** Python's truthiness of a JSON value. */
  function truthy(value) {
    if (Array.isArray(value)) return value.length > 0;
    if (isObject(value)) return Object.keys(value).length > 0;
    return Boolean(value);
  }

  /** spec.get(name) of definition.Field: the default when the value is absent or null. */
  function setting(spec, name, fallback) {
    var value = isObject(spec) && hasOwn(spec, name) ? spec[name] : undefined;
    if (value === undefined || value === null) return fallback === undefined ? null : fallback;
    return value;
  }

  // str.isspace() characters: what str.strip() and str.split() remove.
  var PY_SPACE = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  var SPACE_EDGES = new RegExp("^[" + PY_SPACE + "]+|[" + PY_SPACE + "]+$", "g");
  var SPACE_RUNS = new RegExp("[" + PY_SPACE + "]+");

  function pyStrip(text) {
    return text.replace(SPACE_EDGES, "");
  }

  function pyCollapse(text) {
    return text.split(SPACE_RUNS).filter(function (part) { return part !== ""; }).join(" ");
  }

  function codePoints(text) {
    return Array.from(text);
  }

  function compareCodePoints(left, right) {
    if (left === right) return 0;
    var a = codePoints(left);
    var b = codePoints(right);
    var n = Math.min(a.length, b.length);
    for (var i = 0; i < n; i += 1) {
      var x = a[i].codePointAt(0);
      var y = b[i].codePointAt(0);
      if (x !== y) return x < y ? -1 : 1;
    }
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  }

  var ONE_DECIMAL_DIGIT = /^\p{Nd}$/u;
  var DECIMAL_DIGITS = /\p{Nd}/gu;

  /** Every Unicode decimal digit as its ASCII digit (Python's int() and Decimal() read them). */
  function asciiDigits(text) {
    return text.replace(DECIMAL_DIGITS, function (digit) {
      var cp = digit.codePointAt(0);
      if (cp < 128) return digit;
      var start = cp;
      while (start > 0 && ONE_DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start -= 1;
      return String((cp - start) % 10);
    });
  }

  // Exact decimals {neg, digits, exp}: value = ±digits × 10^exp (digits without leading or
  // trailing zeros; "" is zero). Enough of Python's Decimal for parsing and comparing.
  function makeDecimal(negative, digits, exp) {
    var d = digits.replace(/^0+/, "");
    if (d === "") return { neg: false, digits: "", exp: 0 };
    var trimmed = d.replace(/0+$/, "");
    return { neg: negative, digits: trimmed, exp: exp + (d.length - trimmed.length) };
  }

  var DECIMAL_SYNTAX = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$/;

  function parseDecimal(text) {
    var match = DECIMAL_SYNTAX.exec(text);
    if (!match) return null; // also Infinity and NaN: conditions._number refuses them
    var whole = match[2] !== undefined ? match[2] : "";
    var fraction = match[2] !== undefined ? match[3] || "" : match[4];
    var exp = match[5] ? parseInt(match[5], 10) : 0;
    return makeDecimal(match[1] === "-", whole + fraction, exp - fraction.length);
  }

  /** conditions._number: a number from an int, a float or a string, else null. */
  function toDecimal(value) {
    if (typeof value === "number") return isFinite(value) ? parseDecimal(String(value)) : null;
    if (typeof value === "string") {
      // Python's Decimal drops every underscore and reads any Unicode decimal digit.
      return parseDecimal(asciiDigits(pyStrip(value)).replace(/_/g, ""));
    }
    return null;
  }

  function compareMagnitude(a, b) {
    if (a.digits === "" || b.digits === "") {
      return a.digits === b.digits ? 0 : a.digits === "" ? -1 : 1;
    }
    var ea = a.digits.length + a.exp;
    var eb = b.digits.length + b.exp;
    if (ea !== eb) return ea < eb ? -1 : 1;
    var n = Math.max(a.digits.length, b.digits.length);
    var da = a.digits.padEnd(n, "0");
    var db = b.digits.padEnd(n, "0");
    return da === db ? 0 : da < db ? -1 : 1;
  }

  function compareDecimal(a, b) {
    var sa = a.digits === "" ? 0 : a.neg ? -1 : 1;
    var sb = b.digits === "" ? 0 : b.neg ? -1 : 1;
    if (sa !== sb) return sa < sb ? -1 : 1;
    if (sa === 0) return 0;
    var magnitude = compareMagnitude(a, b);
    return sa > 0 ? magnitude : -magnitude;
  }

  function decimalToNumber(d) {
    if (d.digits === "") return 0;
    return Number((d.neg ? "-" : "") + d.digits + "e" + d.exp);
  }

  var MAX_NUMBER = makeDecimal(false, "1", 15);
  var MAX_DIGITS = 15; // JSON numbers are read back as binary floats: more would not survive

  /** validation._count: a count bound (rows, selections, files, lengths) as an integer. */
  function pyInt(value) {
    var number = typeof value === "boolean" ? null : toDecimal(value);
    return number === null ? NaN : Math.trunc(decimalToNumber(number)); // NaN: no such bound
  }

  /** text_in: a {"zh": …, "en": …} text in `lang`, falling back to the other language. */
  function textIn(value, lang) {
    if (typeof value === "string") return value;
    if (!isObject(value)) return "";
    var primary = String(lang || "zh").indexOf("en") === 0 ? "en" : "zh";
    var other = primary === "en" ? "zh" : "en";
    var chosen = truthy(value[primary]) ? value[primary] : truthy(value[other]) ? value[other] : "";
    return String(chosen);
  }

  // ---------------------------------------------------------------------------------
  // Conditions (conditions.py)
  // ---------------------------------------------------------------------------------

  function isEmpty(value) {
    return (
      value === null ||
      value === undefined ||
      value === "" ||
      (Array.isArray(value) && value.length === 0) ||
      (isObject(value) && Object.keys(value).length === 0)
    );
  }

  /** Python's == between JSON values (True == 1, 1 == 1.0, lists and dicts deeply). */
  function pyEqual(a, b) {
    if (a === null || a === undefined) return b === null || b === undefined;
    var na = typeof a === "number" || typeof a === "boolean";
    var nb = typeof b === "number" || typeof b === "boolean";
    if (na || nb) return na && nb && Number(a) === Number(b);
    if (typeof a === "string" || typeof b === "string") return a === b;
    if (Array.isArray(a) || Array.isArray(b)) {
      return (
        Array.isArray(a) && Array.isArray(b) && a.length === b.length &&
        a.every(function (item, i) { return pyEqual(item, b[i]); })
      );
    }
    if (isObject(a) && isObject(b)) {
      var keys = Object.keys(a);
      if (keys.length !== Object.keys(b).length) return false;
      return keys.every(function (key) { return hasOwn(b, key) && pyEqual(a[key], b[key]); });
    }
    return false;
  }

  /** conditions._same; `numeric`: the answer is a number of a number or money field. */
  function same(answer, expected, numeric) {
    if (numeric) {
      var left = toDecimal(answer);
      var right = toDecimal(typeof expected === "boolean" ? null : expected);
      return left !== null && right !== null && compareDecimal(left, right) === 0;
    }
    if (typeof answer === "boolean" || typeof expected === "boolean") return answer === expected;
    return pyEqual(answer, expected);
  }

  /** conditions.compare. `plainNumber`: a number that is an id (user, room…), not a Decimal. */
  function compare(op, answer, expected, plainNumber) {
    if (op === "empty") return isEmpty(answer);
    if (op === "not_empty") return !isEmpty(answer);
    if (isEmpty(answer)) return false;
    var numeric = typeof answer === "number" && !plainNumber;
    if (op === "eq") return same(answer, expected, numeric);
    if (op === "ne") return !same(answer, expected, numeric);
    var found;
    if (op === "in" || op === "not_in") {
      if (!Array.isArray(expected)) return false;
      found = expected.some(function (item) { return same(answer, item, numeric); });
      return op === "in" ? found : !found;
    }
    if (op === "contains" || op === "not_contains") {
      if (Array.isArray(answer)) {
        found = answer.some(function (item) { return same(item, expected, false); });
      } else if (typeof answer === "string" && typeof expected === "string") {
        found = answer.indexOf(expected) !== -1;
      } else {
        return false;
      }
      return op === "contains" ? found : !found;
    }
    if (ORDERED.has(op)) {
      var order;
      if (numeric) {
        var left = toDecimal(answer);
        var right = typeof expected === "boolean" ? null : toDecimal(expected);
        if (left === null || right === null) return false;
        order = compareDecimal(left, right);
      } else if (typeof answer === "string" && typeof expected === "string") {
        order = compareCodePoints(answer, expected);
      } else {
        return false;
      }
      if (op === "gt") return order > 0;
      if (op === "gte") return order >= 0;
      if (op === "lt") return order < 0;
      return order <= 0;
    }
    return false;
  }

  function evaluateNode(node, values, types, depth) {
    if (depth > MAX_DEPTH || !isObject(node)) return false;
    if (hasOwn(node, "all")) {
      return Array.isArray(node.all) && node.all.every(function (c) { return evaluateNode(c, values, types, depth + 1); });
    }
    if (hasOwn(node, "any")) {
      return Array.isArray(node.any) && node.any.some(function (c) { return evaluateNode(c, values, types, depth + 1); });
    }
    if (hasOwn(node, "not")) return !evaluateNode(node.not, values, types, depth + 1);
    var op = node.op;
    var field = node.field;
    if (typeof op !== "string" || !OPERATORS.has(op) || typeof field !== "string") return false;
    var answer = hasOwn(values, field) && values[field] !== undefined ? values[field] : null;
    var expected = hasOwn(node, "value") && node.value !== undefined ? node.value : null;
    var kind = hasOwn(types, field) ? types[field] : null;
    return compare(op, answer, expected, REFERENCES.has(kind));
  }

  /**
   * Does `condition` hold for `values` (field key → condition value; absent = empty)?
   * Numbers are the answers of number and money fields and compare as numbers; pass
   * `types` (key → field type) to have the ids of user/department/room fields compared as
   * the server compares them (as plain ints). null/undefined (no condition) holds.
   */
  function evaluate(condition, values, types) {
    if (condition === null || condition === undefined) return true;
    return evaluateNode(condition, isObject(values) ? values : {}, isObject(types) ? types : {}, 0);
  }

  // ---------------------------------------------------------------------------------
  // Cleaning one answer (validation.py)
  // ---------------------------------------------------------------------------------

  function Invalid(code, params) {
    this.code = code;
    this.params = params || {};
  }

  var patternCache = new Map();
  var WORD = "\\p{L}\\p{N}_";
  var SYNTAX_CHARACTERS = "^$\\.*+?()[]{}|/";

  function unicodeEscape(ch) {
    return "\\u{" + ch.codePointAt(0).toString(16) + "}";
  }

  /**
   * A Python regular expression as a JavaScript one (for the `u` flag): \d, \w and \s
   * as Unicode classes as Python has them, (?P<name>…), \A, \Z, {,n}, literal braces and
   * escaped punctuation. Returns {source, flags} or null when it cannot be translated.
   */
  function translatePattern(pattern) {
    var chars = codePoints(pattern);
    var i = 0;
    var flags = "";
    var ascii = false;
    var verbose = false;
    var lead;
    while ((lead = /^\(\?([aiLmsux]+)\)/.exec(chars.slice(i).join("")))) {
      var letters = lead[1];
      if (letters.indexOf("i") !== -1 && flags.indexOf("i") === -1) flags += "i";
      if (letters.indexOf("s") !== -1 && flags.indexOf("s") === -1) flags += "s";
      if (letters.indexOf("m") !== -1 && flags.indexOf("m") === -1) flags += "m";
      if (letters.indexOf("a") !== -1) ascii = true;
      if (letters.indexOf("x") !== -1) verbose = true;
      i += codePoints(lead[0]).length;
    }
    var out = "";
    var n = chars.length;

    function hexDigits(count) {
      var text = chars.slice(i + 2, i + 2 + count).join("");
      return /^[0-9a-fA-F]+$/.test(text) && text.length === count ? text : null;
    }

    // One escape at chars[i] ("\\"); returns the translation and advances i.
    function escape(inClass) {
      var c = chars[i + 1];
      if (c === undefined) return null;
      if (!ascii && c === "d") { i += 2; return "\\p{Nd}"; }
      if (!ascii && c === "D") { i += 2; return "\\P{Nd}"; }
      if (!ascii && c === "s") { i += 2; return inClass ? PY_SPACE : "[" + PY_SPACE + "]"; }
      if (!ascii && c === "S" && !inClass) { i += 2; return "[^" + PY_SPACE + "]"; }
      if (!ascii && c === "w") { i += 2; return inClass ? WORD : "[" + WORD + "]"; }
      if (!ascii && c === "W" && !inClass) { i += 2; return "[^" + WORD + "]"; }
      if (c === "A" && !inClass) { i += 2; return "^"; }
      if (c === "Z" && !inClass) { i += 2; return "$"; }
      if (c === "b" && inClass) { i += 2; return "\\u{8}"; }
      if (c === "a") { i += 2; return "\\u{7}"; }
      if (/[0-9]/.test(c)) {
        var next = chars[i + 2] || "";
        var third = chars[i + 3] || "";
        if (inClass || c === "0") {
          // An octal escape: up to three octal digits.
          if (!/[0-7]/.test(c)) return null;
          var octal = c;
          var j = i + 2;
          while (octal.length < 3 && j < n && /[0-7]/.test(chars[j])) { octal += chars[j]; j += 1; }
          i = j;
          return "\\u{" + parseInt(octal, 8).toString(16) + "}";
        }
        if (/[0-7]/.test(c) && /[0-7]/.test(next) && /[0-7]/.test(third)) {
          i += 4;
          return "\\u{" + parseInt(c + next + third, 8).toString(16) + "}";
        }
        // A back reference: one or two digits.
        var ref = /[0-9]/.test(next) ? c + next : c;
        i += 1 + ref.length;
        return "\\" + ref;
      }
      if (c === "x") {
        var hex2 = hexDigits(2);
        if (hex2 === null) return null;
        i += 4;
        return "\\u{" + hex2 + "}";
      }
      if (c === "u") {
        var hex4 = hexDigits(4);
        if (hex4 === null) return null;
        i += 6;
        return "\\u{" + hex4 + "}";
      }
      if (c === "U") {
        var hex8 = hexDigits(8);
        if (hex8 === null) return null;
        i += 10;
        return "\\u{" + hex8.replace(/^0+(?=.)/, "") + "}";
      }
      if (c === "N") return null;
      if (/[A-Za-z]/.test(c)) { i += 2; return "\\" + c; }
      i += 2;
      if (!inClass && SYNTAX_CHARACTERS.indexOf(c) !== -1) return "\\" + c;
      return unicodeEscape(c);
    }

    while (i < n) {
      var ch = chars[i];
      var piece;
      if (ch === "\\") {
        piece = escape(false);
        if (piece === null) return null;
        out += piece;
        continue;
      }
      if (verbose && /\s/.test(ch)) { i += 1; continue; }
      if (verbose && ch === "#") {
        while (i < n && chars[i] !== "\n") i += 1;
        continue;
      }
      if (ch === "[") {
        out += "[";
        i += 1;
        if (chars[i] === "^") { out += "^"; i += 1; }
        if (chars[i] === "]") { out += "\\]"; i += 1; }
        var closed = false;
        while (i < n) {
          var c2 = chars[i];
          if (c2 === "]") { out += "]"; i += 1; closed = true; break; }
          if (c2 === "\\") {
            piece = escape(true);
            if (piece === null) return null;
            out += piece;
            continue;
          }
          out += c2 === "[" ? "\\[" : c2;
          i += 1;
        }
        if (!closed) return null;
        continue;
      }
      if (ch === "(") {
        var rest = chars.slice(i, i + 4).join("");
        if (rest === "(?P<") { out += "(?<"; i += 4; continue; }
        if (rest === "(?P=") {
          var close = chars.indexOf(")", i);
          if (close === -1) return null;
          out += "\\k<" + chars.slice(i + 4, close).join("") + ">";
          i = close + 1;
          continue;
        }
        if (chars.slice(i, i + 3).join("") === "(?#") {
          var end = chars.indexOf(")", i);
          if (end === -1) return null;
          i = end + 1;
          continue;
        }
        out += "(";
        i += 1;
        continue;
      }
      if (ch === "{") {
        var quantifier = /^\{(\d*)(?:(,)(\d*))?\}/.exec(chars.slice(i, i + 40).join(""));
        if (quantifier && chars[i + 1] !== "}") {
          var low = quantifier[1] || "0";
          out += "{" + low + (quantifier[2] ? "," + quantifier[3] : "") + "}";
          i += quantifier[0].length;
        } else {
          out += "\\{";
          i += 1;
        }
        continue;
      }
      if (ch === "}" || ch === "]") { out += "\\" + ch; i += 1; continue; }
      out += ch;
      i += 1;
    }
    return { source: out, flags: flags };
  }

  /** The full-match RegExp of a text field's pattern, or null (no pattern or untranslatable). */
  function fullMatcher(pattern) {
    if (typeof pattern !== "string" || !pattern) return null;
    if (patternCache.has(pattern)) return patternCache.get(pattern);
    var matcher = null;
    var translated = translatePattern(pattern);
    if (translated) {
      try {
        matcher = new RegExp("^(?:" + translated.source + ")$", "u" + translated.flags);
      } catch (error) {
        matcher = null;
      }
    }
    if (matcher === null) {
      try {
        matcher = new RegExp("^(?:" + pattern + ")$");
      } catch (error) {
        matcher = null; // the server judges a pattern the browser cannot read
      }
    }
    patternCache.set(pattern, matcher);
    return matcher;
  }

  function optionValues(spec) {
    var options = Array.isArray(spec.options) ? spec.options : [];
    return options.map(function (o) { return isObject(o) ? o.value : undefined; });
  }

  function cleanText(spec, raw, singleLine) {
    if (raw === null || raw === undefined) return null;
    if (typeof raw !== "string") throw new Invalid("invalid");
    var value = pyStrip(raw);
    if (singleLine) value = pyCollapse(value);
    if (!value) return null;
    var length = codePoints(value).length;
    var high = pyInt(setting(spec, "max_length", MAX_TEXT));
    var lowSetting = setting(spec, "min_length");
    if (length > high) throw new Invalid("max_length", { n: high, len: length });
    if (lowSetting !== null && length < pyInt(lowSetting)) throw new Invalid("min_length", { n: pyInt(lowSetting) });
    if (truthy(spec.pattern)) {
      var matcher = fullMatcher(spec.pattern);
      if (matcher !== null && !matcher.test(value)) throw new Invalid("pattern");
    }
    return value;
  }

  function cleanNumber(spec, raw, kind) {
    if (raw === null || raw === undefined || raw === "") return null;
    var number = typeof raw === "boolean" ? null : toDecimal(raw);
    if (number === null || compareMagnitude(number, MAX_NUMBER) >= 0) throw new Invalid("invalid");
    if (number.digits.length > MAX_DIGITS) throw new Invalid("invalid", { reason: "digits", n: MAX_DIGITS });
    if (kind === "money" && number.digits !== "" && number.exp < -2) {
      throw new Invalid("invalid", { reason: "decimals" });
    }
    var low = setting(spec, "min");
    var high = setting(spec, "max");
    var lowNumber = low === null || typeof low === "boolean" ? null : toDecimal(low);
    var highNumber = high === null || typeof high === "boolean" ? null : toDecimal(high);
    if (lowNumber !== null && compareDecimal(number, lowNumber) < 0) throw new Invalid("min_value", { n: low });
    if (highNumber !== null && compareDecimal(number, highNumber) > 0) throw new Invalid("max_value", { n: high });
    return decimalToNumber(number);
  }

  function daysIn(year, month) {
    if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
    return [4, 6, 9, 11].indexOf(month) !== -1 ? 30 : 31;
  }

  function isoDate(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!m) return null;
    var year = +m[1];
    var month = +m[2];
    var day = +m[3];
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
    return text;
  }

  function isoTime(text) {
    var m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
    if (!m || +m[1] > 23 || +m[2] > 59 || (m[3] !== undefined && +m[3] > 59)) return null;
    return m[1] + ":" + m[2];
  }

  function cleanDate(raw) {
    if (raw === null || raw === undefined || raw === "") return null;
    var value = typeof raw === "string" && raw.length === 10 ? isoDate(raw) : null;
    if (value === null) throw new Invalid("invalid");
    return value;
  }

  function cleanTime(raw) {
    if (raw === null || raw === undefined || raw === "") return null;
    var value = typeof raw === "string" && (raw.length === 5 || raw.length === 8) ? isoTime(raw) : null;
    if (value === null) throw new Invalid("invalid");
    return value;
  }

  function cleanDateTime(raw) {
    if (raw === null || raw === undefined || raw === "") return null;
    var ok = typeof raw === "string" && (raw.length === 16 || raw.length === 19) && "T ".indexOf(raw[10]) !== -1;
    var date = ok ? isoDate(raw.slice(0, 10)) : null;
    var time = ok ? isoTime(raw.slice(11)) : null;
    if (date === null || time === null) throw new Invalid("invalid");
    return date + "T" + time;
  }

  function cleanChoice(spec, raw) {
    if (raw === null || raw === undefined || raw === "") return null;
    if (typeof raw !== "string" || optionValues(spec).indexOf(raw) === -1) throw new Invalid("invalid_choice");
    return raw;
  }

  function cleanMultichoice(spec, raw) {
    if (raw === null || raw === undefined || (Array.isArray(raw) && raw.length === 0)) return null;
    var values = optionValues(spec);
    if (
      !Array.isArray(raw) ||
      raw.some(function (v) { return typeof v !== "string" || values.indexOf(v) === -1; })
    ) {
      throw new Invalid("invalid_choice");
    }
    var chosen = values.filter(function (v) { return raw.indexOf(v) !== -1; });
    var low = setting(spec, "min");
    var high = setting(spec, "max");
    if (low !== null && chosen.length < pyInt(low)) throw new Invalid("too_few", { n: pyInt(low) });
    if (high !== null && chosen.length > pyInt(high)) throw new Invalid("too_many", { n: pyInt(high) });
    return chosen;
  }

  function cleanBoolean(raw) {
    if (raw === null || raw === undefined || raw === "") return null;
    if (typeof raw !== "boolean") throw new Invalid("invalid");
    return raw;
  }

  function cleanReference(raw) {
    if (raw === null || raw === undefined || raw === "") return null;
    var value = raw;
    if (typeof value === "string" && /^[0-9]{1,18}$/.test(value)) value = parseInt(value, 10);
    if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) throw new Invalid("invalid");
    return value;
  }

  function cleanFiles(spec, raw) {
    if (raw === null || raw === undefined || (Array.isArray(raw) && raw.length === 0)) return null;
    if (!Array.isArray(raw) || raw.some(function (item) { return !isObject(item) || typeof item.key !== "string"; })) {
      throw new Invalid("invalid");
    }
    var high = setting(spec, "max");
    if (high !== null && raw.length > pyInt(high)) throw new Invalid("too_many", { n: pyInt(high) });
    return raw.map(function (item) {
      var size = item.size;
      if (typeof size === "string") size = /^[0-9]{1,15}$/.test(size) ? parseInt(size, 10) : 0;
      else if (typeof size !== "number" || !Number.isInteger(size) || size < 0 || size >= Math.pow(2, 53)) size = 0;
      return {
        key: item.key,
        name: codePoints(truthy(item.name) ? String(item.name) : "").slice(0, 200).join(""),
        size: size,
        type: codePoints(truthy(item.type) ? String(item.type) : "").slice(0, 100).join(""),
      };
    });
  }

  /** validation.clean_value: the stored value of one answer (null: empty), or throws Invalid. */
  function cleanValue(spec, raw) {
    var kind = spec.type;
    if (kind === "text") return cleanText(spec, raw, true);
    if (kind === "textarea") return cleanText(spec, raw, false);
    if (NUMERIC.has(kind)) return cleanNumber(spec, raw, kind);
    if (kind === "date") return cleanDate(raw);
    if (kind === "time") return cleanTime(raw);
    if (kind === "datetime") return cleanDateTime(raw);
    if (kind === "choice") return cleanChoice(spec, raw);
    if (kind === "multichoice") return cleanMultichoice(spec, raw);
    if (kind === "boolean") return cleanBoolean(raw);
    if (REFERENCES.has(kind)) return cleanReference(raw);
    if (kind === "file") return cleanFiles(spec, raw);
    throw new Invalid("invalid");
  }

  function tableColumns(spec) {
    return (Array.isArray(spec.columns) ? spec.columns : []).filter(function (c) {
      return isObject(c) && typeof c.key === "string";
    });
  }

  /** validation._table: {value, errors: {"key" | "key.row.column": [{code, params}]}}. */
  function cleanTable(spec, raw, key) {
    var errors = {};
    function add(where, code, params) {
      (errors[where] = errors[where] || []).push({ code: code, params: params || {} });
    }
    if (raw === null || raw === undefined || (Array.isArray(raw) && raw.length === 0)) {
      return { value: null, errors: errors };
    }
    if (!Array.isArray(raw) || raw.some(function (row) { return !isObject(row); })) {
      add(key, "invalid");
      return { value: null, errors: errors };
    }
    var columns = tableColumns(spec);
    var rows = [];
    var failed = false;
    // Errors name the row as the person sees it (its place in the list, blank rows included).
    raw.forEach(function (row, index) {
      var cleanedRow = {};
      var problems = {};
      columns.forEach(function (column) {
        try {
          var value = cleanValue(column, hasOwn(row, column.key) ? row[column.key] : null);
          if (value !== null) cleanedRow[column.key] = value;
        } catch (error) {
          if (!(error instanceof Invalid)) throw error;
          problems[column.key] = error;
        }
      });
      if (!Object.keys(cleanedRow).length && !Object.keys(problems).length) return; // blank once cleaned
      columns.forEach(function (column) {
        if (truthy(setting(column, "required", false)) && !hasOwn(cleanedRow, column.key) && !hasOwn(problems, column.key)) {
          problems[column.key] = new Invalid("required");
        }
      });
      columns.forEach(function (column) {
        if (!hasOwn(problems, column.key)) return;
        add(key + "." + index + "." + column.key, problems[column.key].code, problems[column.key].params);
        failed = true;
      });
      rows.push(cleanedRow);
    });
    var low = setting(spec, "min");
    var high = setting(spec, "max");
    if (high !== null && rows.length > pyInt(high)) {
      add(key, "too_many", { n: pyInt(high) });
      return { value: null, errors: errors };
    }
    if (rows.length && low !== null && rows.length < pyInt(low)) {
      add(key, "too_few", { n: pyInt(low) });
      return { value: null, errors: errors };
    }
    if (failed) return { value: null, errors: errors };
    return { value: rows.length ? rows : null, errors: errors };
  }

  /**
   * The cleaned value of one answer as the server stores it: {value} (null when empty) or
   * {error: code, params}. A table gives {error, errors: {"key.row.column": [...]}} too.
   */
  function clean(spec, raw) {
    if (!isObject(spec)) return { error: "invalid", params: {} };
    if (spec.type === "table") {
      var result = cleanTable(spec, raw, String(spec.key));
      var keys = Object.keys(result.errors);
      if (keys.length) {
        var first = result.errors[keys[0]][0];
        return { error: first.code, params: first.params, errors: result.errors };
      }
      return { value: result.value };
    }
    try {
      return { value: cleanValue(spec, raw) };
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      return { error: error.code, params: error.params };
    }
  }

  // ---------------------------------------------------------------------------------
  // A whole form (validation._validate)
  // ---------------------------------------------------------------------------------

  /** The sections and fields of a definition as the runtime reads them (drafts may be rough). */
  function layout(definition) {
    var sections = isObject(definition) && Array.isArray(definition.sections) ? definition.sections : [];
    return sections.filter(isObject).map(function (section) {
      var fields = Array.isArray(section.fields) ? section.fields : [];
      return {
        spec: section,
        fields: fields.filter(function (f) { return isObject(f) && typeof f.key === "string"; }),
      };
    });
  }

  /**
   * What the server decides for `answers`: visible (keys, in order), required (key → bool,
   * visible fields), errors ({key: [{code, params, type}]}), cleaned, and per position
   * (sectionVisible[i], fieldVisible[j] in layout order) for the renderer.
   */
  function analyse(definition, answers) {
    var given = isObject(answers) ? answers : {};
    var result = {
      visible: [], required: {}, errors: {}, cleaned: {}, sectionVisible: [], fieldVisible: [],
    };
    var seen = {};
    var types = {};
    function add(where, code, params, type) {
      (result.errors[where] = result.errors[where] || []).push({ code: code, params: params || {}, type: type });
    }
    layout(definition).forEach(function (section) {
      var sectionVisible = evaluate(section.spec.visible_when, seen, types);
      result.sectionVisible.push(sectionVisible);
      section.fields.forEach(function (spec) {
        var key = spec.key;
        var visible = sectionVisible && evaluate(spec.visible_when, seen, types);
        result.fieldVisible.push(visible);
        if (!visible) return;
        result.visible.push(key);
        var requiredWhen = spec.required_when;
        var required = truthy(spec.required) ||
          (requiredWhen !== null && requiredWhen !== undefined && evaluate(requiredWhen, seen, types));
        result.required[key] = required;
        var raw = hasOwn(given, key) && given[key] !== undefined ? given[key] : setting(spec, "default");
        var value;
        if (spec.type === "table") {
          var table = cleanTable(spec, raw, key);
          var failed = Object.keys(table.errors);
          if (failed.length) {
            failed.forEach(function (where) {
              table.errors[where].forEach(function (e) {
                var column = where === key ? null : where.split(".").slice(2).join(".");
                var columnSpec = tableColumns(spec).filter(function (c) { return c.key === column; })[0];
                add(where, e.code, e.params, columnSpec ? columnSpec.type : "table");
              });
            });
            return;
          }
          value = table.value;
        } else {
          try {
            value = cleanValue(spec, raw);
          } catch (error) {
            if (!(error instanceof Invalid)) throw error;
            add(key, error.code, error.params, spec.type);
            return;
          }
        }
        if (value === null) {
          if (required) add(key, "required", {}, spec.type);
          return;
        }
        result.cleaned[key] = value;
        seen[key] = value; // condition_value: numbers compare as numbers, lists as lists
        types[key] = spec.type;
      });
    });
    return result;
  }

  /** validation.validate(...).visible: the keys of the visible top-level fields, in order. */
  function visibleKeys(definition, answers) {
    return analyse(definition, answers).visible;
  }

  // ---------------------------------------------------------------------------------
  // Words
  // ---------------------------------------------------------------------------------

  var MESSAGES = {
    en: {
      required: "Please answer this.",
      invalid: "Enter a valid value.",
      invalid_digits: "Use at most {n} digits.",
      invalid_text: "Enter text.",
      invalid_textarea: "Enter text.",
      invalid_number: "Enter a number.",
      invalid_money: "Enter an amount.",
      invalid_money_decimals: "An amount has at most two decimals.",
      invalid_date: "Enter a date (YYYY-MM-DD).",
      invalid_time: "Enter a time (HH:MM).",
      invalid_datetime: "Enter a date and time (YYYY-MM-DD HH:MM).",
      invalid_boolean: "Answer yes or no.",
      invalid_reference: "Choose from the list.",
      invalid_file: "Upload the file again.",
      invalid_table: "Rows are missing or malformed.",
      max_length: "At most {n} characters (this has {len}).",
      min_length: "At least {n} characters.",
      pattern: "Not in the expected format.",
      min_value: "At least {n}.",
      max_value: "At most {n}.",
      invalid_choice: "Choose one of the options.",
      too_few: "Choose at least {n}.",
      too_many: "Choose at most {n}.",
      too_few_rows: "At least {n} rows.",
      too_many_rows: "At most {n} rows.",
      too_many_files: "At most {n} files.",
      not_found: "It no longer exists, or you may not choose it.",
      upload_failed: "The upload failed.",
      uploading: "Uploading {name}…",
      upload_unavailable: "Files can be added when the form is in use.",
      choose: "—",
      yes: "Yes",
      no: "No",
      add_row: "Add row",
      remove_row: "Remove row",
      remove: "Remove",
      row: "Row {n}",
      no_rows: "No rows.",
      no_files: "No files.",
    },
    zh: {
      required: "请填写此项。",
      invalid: "请输入有效的值。",
      invalid_digits: "最多 {n} 位数字。",
      invalid_text: "请输入文字。",
      invalid_textarea: "请输入文字。",
      invalid_number: "请输入数字。",
      invalid_money: "请输入金额。",
      invalid_money_decimals: "金额最多两位小数。",
      invalid_date: "请输入日期（YYYY-MM-DD）。",
      invalid_time: "请输入时间（HH:MM）。",
      invalid_datetime: "请输入日期和时间（YYYY-MM-DD HH:MM）。",
      invalid_boolean: "请选择是或否。",
      invalid_reference: "请从列表中选择。",
      invalid_file: "请重新上传文件。",
      invalid_table: "明细行缺失或格式不正确。",
      max_length: "最多 {n} 个字符（当前 {len} 个）。",
      min_length: "至少 {n} 个字符。",
      pattern: "格式不正确。",
      min_value: "不能小于 {n}。",
      max_value: "不能大于 {n}。",
      invalid_choice: "请选择一个选项。",
      too_few: "至少选择 {n} 项。",
      too_many: "最多选择 {n} 项。",
      too_few_rows: "至少 {n} 行。",
      too_many_rows: "最多 {n} 行。",
      too_many_files: "最多 {n} 个文件。",
      not_found: "该项已不存在，或您无权选择。",
      upload_failed: "上传失败。",
      uploading: "正在上传 {name}…",
      upload_unavailable: "表单使用时可以添加文件。",
      choose: "—",
      yes: "是",
      no: "否",
      add_row: "添加一行",
      remove_row: "删除此行",
      remove: "删除",
      row: "第 {n} 行",
      no_rows: "没有行。",
      no_files: "没有文件。",
    },
  };

  function pickLang(lang) {
    return String(lang || "zh").toLowerCase().indexOf("en") === 0 ? "en" : "zh";
  }

  function format(template, params) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, name) {
      return params && hasOwn(params, name) ? String(params[name]) : whole;
    });
  }

  /** The words for an error {code, params, type} (the server sends its own message). */
  function messageFor(words, error) {
    if (error && typeof error.message === "string" && error.message) return error.message;
    var code = (error && error.code) || "invalid";
    var type = error && error.type;
    var params = (error && error.params) || {};
    var candidates = [];
    if (code === "invalid") {
      if (params.reason === "decimals") candidates.push("invalid_money_decimals");
      if (params.reason === "digits") candidates.push("invalid_digits");
      if (REFERENCES.has(type)) candidates.push("invalid_reference");
      candidates.push("invalid_" + type);
    }
    if (type === "table" && (code === "too_few" || code === "too_many")) candidates.push(code + "_rows");
    if (type === "file" && code === "too_many") candidates.push("too_many_files");
    candidates.push(code, "invalid");
    for (var i = 0; i < candidates.length; i += 1) {
      if (!hasOwn(words, candidates[i])) continue;
      var message = format(words[candidates[i]], params);
      // An error without its numbers (a server error given by code only): the general words.
      return /\{\w+\}/.test(message) ? format(words.invalid, {}) : message;
    }
    return code;
  }

  // ---------------------------------------------------------------------------------
  // DOM helpers (never innerHTML)
  // ---------------------------------------------------------------------------------

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

  function cookie(name) {
    var jar = "";
    try {
      jar = document.cookie || "";
    } catch (error) {
      jar = ""; // a document without cookies (about:blank, sandboxed frames)
    }
    var parts = jar.split(";");
    for (var i = 0; i < parts.length; i += 1) {
      var part = parts[i].trim();
      if (part.indexOf(name + "=") === 0) return decodeURIComponent(part.slice(name.length + 1));
    }
    return null;
  }

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return cookie("csrftoken") || (field ? field.value : null);
  }

  var renders = 0;
  // The inputs carry name="KEY" but belong to no form (form="…" names no element): only the
  // hidden `answers` input is posted, so a field keyed "answers", "action" or
  // "csrfmiddlewaretoken" cannot shadow the page's own inputs.
  var DETACHED = "ff-no-form";

  // ---------------------------------------------------------------------------------
  // Controls: one input (or a group of them) for one value
  // ---------------------------------------------------------------------------------

  /**
   * A control for a field or a table column: {node, labelFor (id or null), read(), write(v),
   * setName(name), inputs()}. `context`: {id, name, lang, words, refs, readOnly, cell}.
   */
  function makeControl(spec, context) {
    var kind = spec.type;
    var placeholder = textIn(spec.placeholder, context.lang) || null;
    var common = function (node) {
      if (context.readOnly) node.setAttribute("disabled", "");
      node.setAttribute("form", DETACHED);
      return node;
    };
    var single = function (node, read, write) {
      common(node);
      return {
        node: node,
        labelFor: node.id,
        read: read,
        write: write,
        setName: function (name) { node.setAttribute("name", name); },
        inputs: function () { return [node]; },
      };
    };
    var input = function (type, extra) {
      var attributes = { type: type, id: context.id, name: context.name, class: "ff-input", placeholder: placeholder };
      Object.keys(extra || {}).forEach(function (k) { attributes[k] = extra[k]; });
      return h("input", attributes);
    };
    var textual = function (node) {
      return single(
        node,
        function () { return node.value; },
        function (value) { node.value = value === null || value === undefined ? "" : String(value); }
      );
    };

    if (kind === "text") return textual(input("text"));
    if (kind === "textarea") {
      return textual(h("textarea", {
        id: context.id, name: context.name, class: "ff-input", rows: context.cell ? 2 : 4, placeholder: placeholder,
      }));
    }
    if (NUMERIC.has(kind)) {
      return textual(input("text", {
        inputmode: "decimal", autocomplete: "off", class: "ff-input ff-input--" + kind,
      }));
    }
    if (kind === "date") return textual(input("date"));
    if (kind === "time") return textual(input("time"));
    if (kind === "datetime") return textual(input("datetime-local"));

    if (kind === "choice" || (kind === "boolean" && context.cell)) {
      var select = h("select", { id: context.id, name: context.name, class: "ff-input" });
      select.appendChild(h("option", { value: "", text: placeholder || context.words.choose }));
      if (kind === "boolean") {
        select.appendChild(h("option", { value: "true", text: context.words.yes }));
        select.appendChild(h("option", { value: "false", text: context.words.no }));
        return single(
          select,
          function () { return select.value === "" ? null : select.value === "true"; },
          function (value) { select.value = value === true ? "true" : value === false ? "false" : ""; }
        );
      }
      (Array.isArray(spec.options) ? spec.options : []).forEach(function (option) {
        if (!isObject(option) || typeof option.value !== "string") return;
        select.appendChild(h("option", { value: option.value, text: textIn(option.label, context.lang) || option.value }));
      });
      return single(
        select,
        function () { return select.value; },
        function (value) { select.value = typeof value === "string" ? value : ""; }
      );
    }

    if (REFERENCES.has(kind)) {
      var list = context.refs && Array.isArray(context.refs[kind]) ? context.refs[kind] : null;
      var toId = function (text) {
        if (text === "") return null;
        return /^\d+$/.test(text) ? parseInt(text, 10) : text;
      };
      if (list) {
        var chooser = h("select", { id: context.id, name: context.name, class: "ff-input" });
        chooser.appendChild(h("option", { value: "", text: placeholder || context.words.choose }));
        list.forEach(function (item) {
          if (!isObject(item)) return;
          chooser.appendChild(h("option", { value: String(item.id), text: String(item.label === undefined ? item.id : item.label) }));
        });
        return single(
          chooser,
          function () { return toId(chooser.value); },
          function (value) {
            var text = value === null || value === undefined ? "" : String(value);
            if (text && !Array.prototype.some.call(chooser.options, function (o) { return o.value === text; })) {
              chooser.appendChild(h("option", { value: text, text: "#" + text }));
            }
            chooser.value = text;
          }
        );
      }
      var number = input("text", { inputmode: "numeric", autocomplete: "off" });
      return single(
        number,
        function () { return toId(number.value.trim()); },
        function (value) { number.value = value === null || value === undefined ? "" : String(value); }
      );
    }

    if (kind === "multichoice" || kind === "boolean") {
      var group = h("div", { class: "ff-options", role: kind === "boolean" ? "radiogroup" : "group", id: context.id });
      var boxes = [];
      var choices = kind === "boolean"
        ? [{ value: "true", label: context.words.yes }, { value: "false", label: context.words.no }]
        : (Array.isArray(spec.options) ? spec.options : []).filter(function (o) {
          return isObject(o) && typeof o.value === "string";
        }).map(function (o) { return { value: o.value, label: textIn(o.label, context.lang) || o.value }; });
      choices.forEach(function (choice, index) {
        var box = common(h("input", {
          type: kind === "boolean" ? "radio" : "checkbox",
          name: context.name,
          value: choice.value,
          id: context.id + "-" + index,
        }));
        boxes.push(box);
        group.appendChild(h("label", { class: "ff-option", for: box.id }, [box, h("span", { text: choice.label })]));
      });
      return {
        node: group,
        labelFor: null,
        read: function () {
          if (kind === "boolean") {
            var checked = boxes.filter(function (b) { return b.checked; })[0];
            return checked ? checked.value === "true" : null;
          }
          return boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
        },
        write: function (value) {
          boxes.forEach(function (box) {
            box.checked = kind === "boolean"
              ? (value === true && box.value === "true") || (value === false && box.value === "false")
              : Array.isArray(value) && value.indexOf(box.value) !== -1;
          });
        },
        setName: function (name) { boxes.forEach(function (b) { b.setAttribute("name", name); }); },
        inputs: function () { return boxes.slice(); },
      };
    }
    // Anything else (an unknown type in a draft): a plain text box.
    return textual(input("text"));
  }

  function requiredMarker() {
    return h("span", { class: "ff-required", "aria-hidden": "true", text: "*" });
  }

  function errorList(words, errors) {
    var list = h("ul", { class: "ff-errors", role: "alert" });
    errors.forEach(function (error) { list.appendChild(h("li", { text: messageFor(words, error) })); });
    return list;
  }

  // ---------------------------------------------------------------------------------
  // render
  // ---------------------------------------------------------------------------------

  /**
   * Render `definition` into `container`. options: {lang: "zh"|"en", values, errors,
   * readOnly, refs: {user|department|room: [{id, label}]}, uploadUrl, csrfToken, messages,
   * detached (the designer's preview: never writes the page's hidden `answers` input)}.
   * Returns {answers(), visibleKeys(), validate(), setErrors(errors), refresh(), element}.
   */
  function render(container, definition, options) {
    if (typeof definition === "string") definition = JSON.parse(definition);
    var settings = options || {};
    var lang = pickLang(settings.lang);
    var words = Object.assign({}, MESSAGES[lang], isObject(settings.messages) ? settings.messages : {});
    var uid = "ff" + (renders += 1);
    var readOnly = Boolean(settings.readOnly);
    var detached = Boolean(settings.detached);
    var refs = isObject(settings.refs) ? settings.refs : {};
    var initial = isObject(settings.values) ? settings.values : {};
    var uploadUrl = settings.uploadUrl || null;
    var token = settings.csrfToken || null;
    var widgets = [];
    var sections = [];

    clear(container);
    var root = h("div", { class: "ff-form" + (readOnly ? " ff-form--readonly" : ""), lang: lang === "en" ? "en" : "zh" });
    var general = h("div", { class: "ff-form-errors" });
    root.appendChild(general);

    function domId(key, suffix) {
      return uid + "-" + key + (suffix ? "-" + suffix : "");
    }

    function initialValue(spec) {
      return hasOwn(initial, spec.key) && initial[spec.key] !== undefined ? initial[spec.key] : setting(spec, "default");
    }

    function showErrors(holder, control, errors, anchor) {
      var old = holder.querySelector(":scope > .ff-errors");
      if (old) holder.removeChild(old);
      var inputs = control ? control.inputs() : [];
      inputs.forEach(function (node) {
        if (errors.length) node.setAttribute("aria-invalid", "true");
        else node.removeAttribute("aria-invalid");
      });
      holder.classList.toggle("ff-invalid", errors.length > 0);
      if (!errors.length) return;
      var list = errorList(words, errors);
      list.id = (anchor || uid + "-e" + Math.random().toString(36).slice(2, 8)) + "-errors";
      holder.appendChild(list);
      inputs.forEach(function (node) {
        var described = (node.getAttribute("aria-describedby") || "").split(" ").filter(function (x) {
          return x && x.slice(-7) !== "-errors";
        });
        described.push(list.id);
        node.setAttribute("aria-describedby", described.join(" "));
      });
    }

    // A field: wrapper, label, control (or file list or table), help, errors.
    function makeWidget(spec) {
      var key = spec.key;
      var kind = spec.type;
      var wrapper = h("div", { class: "ff-field", "data-key": key, "data-type": String(kind) });
      var marker = requiredMarker();
      var labelText = h("span", { class: "ff-label__text", text: textIn(spec.label, lang) || key });
      var helpText = textIn(spec.help, lang);
      var helpId = helpText ? domId(key, "help") : null;
      var widget = {
        key: key, spec: spec, wrapper: wrapper, control: null,
        setRequired: function (required) {
          marker.hidden = !required;
          (widget.control ? widget.control.inputs() : []).forEach(function (node) {
            if (required) node.setAttribute("aria-required", "true");
            else node.removeAttribute("aria-required");
          });
        },
        showErrors: function (errors) { showErrors(wrapper, widget.control, errors, domId(key)); },
        clearErrors: function () { widget.showErrors([]); },
      };
      var label;
      if (kind === "table") {
        label = h("span", { class: "ff-label", id: domId(key, "label") }, [labelText, " ", marker]);
        wrapper.appendChild(label);
        makeTable(widget, spec, helpId);
      } else if (kind === "file") {
        label = h("label", { class: "ff-label", for: domId(key), id: domId(key, "label") }, [labelText, " ", marker]);
        wrapper.appendChild(label);
        makeFiles(widget, spec);
      } else {
        var control = makeControl(spec, {
          id: domId(key), name: key, lang: lang, words: words, refs: refs, readOnly: readOnly,
        });
        widget.control = control;
        if (control.labelFor) {
          label = h("label", { class: "ff-label", for: control.labelFor, id: domId(key, "label") }, [labelText, " ", marker]);
        } else {
          label = h("span", { class: "ff-label", id: domId(key, "label") }, [labelText, " ", marker]);
          control.node.setAttribute("aria-labelledby", label.id);
        }
        wrapper.appendChild(label);
        wrapper.appendChild(h("div", { class: "ff-control" }, [control.node]));
        widget.read = control.read;
        widget.write = control.write;
        control.write(initialValue(spec));
      }
      if (helpText) {
        wrapper.appendChild(h("div", { class: "ff-help", id: helpId, text: helpText }));
        (widget.control ? widget.control.inputs() : []).forEach(function (node) {
          node.setAttribute("aria-describedby", helpId);
        });
      }
      widget.setRequired(truthy(spec.required));
      return widget;
    }

    function makeFiles(widget, spec) {
      var key = spec.key;
      var items = [];
      var list = h("ul", { class: "ff-file-list" });
      var status = h("p", { class: "ff-file-status", "aria-live": "polite" });
      var box = h("div", { class: "ff-control ff-files" }, [list]);
      var fileInput = null;
      var high = setting(spec, "max");
      if (!readOnly && uploadUrl) {
        fileInput = h("input", { type: "file", id: domId(key), name: key, class: "ff-input", form: DETACHED });
        if (high === null || pyInt(high) !== 1) fileInput.setAttribute("multiple", "");
        box.appendChild(fileInput);
        fileInput.addEventListener("change", function (event) {
          event.stopPropagation();
          upload(Array.prototype.slice.call(fileInput.files || []));
        });
      } else if (!readOnly) {
        var disabled = h("input", { type: "file", id: domId(key), disabled: true, class: "ff-input", form: DETACHED });
        box.appendChild(disabled);
        box.appendChild(h("p", { class: "ff-note", text: words.upload_unavailable }));
      }
      box.appendChild(status);
      widget.wrapper.appendChild(box);
      widget.control = {
        inputs: function () { return fileInput ? [fileInput] : []; },
      };

      function draw() {
        clear(list);
        if (!items.length && readOnly) list.appendChild(h("li", { class: "ff-empty", text: words.no_files }));
        items.forEach(function (item, index) {
          var name = String(item.name || item.key);
          var row = h("li", { class: "ff-file" }, [h("span", { class: "ff-file__name", text: name })]);
          if (!readOnly) {
            var remove = h("button", {
              type: "button", class: "ff-button ff-file__remove", text: words.remove, "aria-label": words.remove + " " + name,
            });
            remove.addEventListener("click", function () {
              items.splice(index, 1);
              draw();
              changed(widget);
            });
            row.appendChild(remove);
          }
          list.appendChild(row);
        });
      }

      function upload(files) {
        var failures = [];
        var chain = Promise.resolve();
        files.forEach(function (file) {
          chain = chain.then(function () {
            status.textContent = format(words.uploading, { name: file.name });
            var body = new FormData();
            body.append("file", file);
            var headers = { Accept: "application/json" };
            if (token) headers["X-CSRFToken"] = token;
            return fetch(uploadUrl, { method: "POST", body: body, headers: headers, credentials: "same-origin" })
              .then(function (response) {
                return response.json().catch(function () { return {}; }).then(function (data) {
                  if (!response.ok || !isObject(data) || typeof data.key !== "string") {
                    throw new Error(isObject(data) && typeof data.error === "string" ? data.error : words.upload_failed);
                  }
                  items.push({ key: data.key, name: data.name, size: data.size, type: data.type });
                  draw();
                });
              })
              .catch(function (error) {
                failures.push({ code: "upload_failed", message: file.name + ": " + (error && error.message ? error.message : words.upload_failed) });
              });
          });
        });
        return chain.then(function () {
          status.textContent = "";
          if (fileInput) fileInput.value = "";
          changed(widget);
          if (failures.length) widget.showErrors(failures);
        });
      }

      widget.read = function () { return items.slice(); };
      widget.write = function (value) {
        items = Array.isArray(value) ? value.filter(isObject).slice() : [];
        draw();
      };
      widget.write(initialValue(spec));
    }

    function makeTable(widget, spec, helpId) {
      var key = spec.key;
      var columns = tableColumns(spec);
      var rows = [];
      var serial = 0;
      var table = h("table", { class: "ff-table", "aria-labelledby": domId(key, "label") });
      if (helpId) table.setAttribute("aria-describedby", helpId);
      var headRow = h("tr");
      columns.forEach(function (column) {
        var th = h("th", { scope: "col", "data-col": column.key }, [textIn(column.label, lang) || column.key]);
        if (truthy(column.required)) th.appendChild(requiredMarker());
        headRow.appendChild(th);
      });
      if (!readOnly) headRow.appendChild(h("th", { class: "ff-table__actions" }, [h("span", { class: "ff-visually-hidden", text: words.remove_row })]));
      table.appendChild(h("thead", {}, [headRow]));
      var body = h("tbody");
      table.appendChild(body);
      var empty = h("p", { class: "ff-empty", text: words.no_rows });
      var add = h("button", { type: "button", class: "ff-button ff-add-row", text: words.add_row });
      var box = h("div", { class: "ff-control ff-table-wrap" }, [table, empty]);
      widget.wrapper.appendChild(box);
      if (!readOnly) widget.wrapper.appendChild(h("div", { class: "ff-table-tools" }, [add]));
      var high = setting(spec, "max");

      function sync() {
        rows.forEach(function (row, index) {
          row.tr.setAttribute("data-row", String(index));
          columns.forEach(function (column) {
            row.cells[column.key].control.setName(key + "." + index + "." + column.key);
          });
          if (row.remove) row.remove.setAttribute("aria-label", words.remove_row + " " + (index + 1));
        });
        empty.hidden = rows.length > 0;
        add.disabled = high !== null && rows.length >= pyInt(high);
      }

      function addRow(values) {
        serial += 1;
        var tr = h("tr", { class: "ff-row" });
        var row = { tr: tr, cells: {}, remove: null };
        columns.forEach(function (column) {
          var id = domId(key, "r" + serial + "-" + column.key);
          var columnLabel = textIn(column.label, lang) || column.key;
          var control = makeControl(column, {
            id: id, name: key, lang: lang, words: words, refs: refs, readOnly: readOnly, cell: true,
          });
          var td = h("td", { class: "ff-cell", "data-col": column.key });
          if (control.labelFor) {
            td.appendChild(h("label", { class: "ff-cell__label", for: control.labelFor, text: columnLabel }));
          } else {
            var cellLabel = h("span", { class: "ff-cell__label", id: id + "-label", text: columnLabel });
            td.appendChild(cellLabel);
            control.node.setAttribute("aria-labelledby", cellLabel.id);
          }
          td.appendChild(control.node);
          control.write(isObject(values) && hasOwn(values, column.key) ? values[column.key] : null);
          if (truthy(column.required)) control.inputs().forEach(function (n) { n.setAttribute("aria-required", "true"); });
          row.cells[column.key] = { control: control, td: td };
          tr.appendChild(td);
        });
        if (!readOnly) {
          var remove = h("button", { type: "button", class: "ff-button ff-remove-row", text: words.remove_row });
          remove.addEventListener("click", function () {
            var index = rows.indexOf(row);
            if (index !== -1) rows.splice(index, 1);
            body.removeChild(tr);
            sync();
            changed(widget);
          });
          row.remove = remove;
          tr.appendChild(h("td", { class: "ff-cell ff-cell--actions" }, [remove]));
        }
        rows.push(row);
        body.appendChild(tr);
        sync();
        return row;
      }

      add.addEventListener("click", function () {
        var row = addRow(null);
        var first = columns.length ? row.cells[columns[0].key].control.inputs()[0] : null;
        if (first) first.focus();
        changed(widget);
      });

      function readRow(row) {
        var values = {};
        columns.forEach(function (column) { values[column.key] = row.cells[column.key].control.read(); });
        return values;
      }

      function blank(values) {
        return columns.every(function (column) { return isEmpty(values[column.key]); });
      }

      widget.control = {
        inputs: function () { return []; },
      };
      widget.read = function () { return rows.map(readRow); };
      widget.write = function (value) {
        rows.forEach(function (row) { body.removeChild(row.tr); });
        rows = [];
        var given = Array.isArray(value) ? value : [];
        given.forEach(function (values) { addRow(values); });
        if (!readOnly && !rows.length) {
          var low = setting(spec, "min");
          var count = Math.max(1, low !== null && pyInt(low) > 0 ? Math.min(pyInt(low), 20) : 1);
          for (var i = 0; i < count; i += 1) addRow(null);
        }
        sync();
      };
      widget.answer = function () {
        var values = rows.map(readRow).filter(function (row) { return !blank(row); }).map(function (row) {
          var out = {};
          columns.forEach(function (column) { out[column.key] = isEmpty(row[column.key]) ? null : row[column.key]; });
          return out;
        });
        return values.length ? values : null;
      };
      // Blank rows are not posted: the server's row n is the n-th row with something in it.
      widget.rowAt = function (index) {
        var filled = rows.filter(function (row) { return !blank(readRow(row)); });
        return filled[index] || null;
      };
      widget.clearCell = function (td) { showErrors(td, null, []); };
      widget.clearCells = function () {
        rows.forEach(function (row) {
          columns.forEach(function (column) {
            var cell = row.cells[column.key];
            showErrors(cell.td, cell.control, []);
          });
        });
      };
      widget.showCellErrors = function (index, column, errors) {
        var row = widget.rowAt(index);
        var cell = row && hasOwn(row.cells, column) ? row.cells[column] : null;
        if (cell) {
          showErrors(cell.td, cell.control, errors, cell.control.labelFor || null);
          return true;
        }
        return false;
      };
      widget.write(initialValue(spec));
    }

    layout(definition).forEach(function (section) {
      var node = h("fieldset", { class: "ff-section", "data-key": String(section.spec.key) });
      var title = textIn(section.spec.title, lang);
      if (title) node.appendChild(h("legend", { class: "ff-section__title", text: title }));
      var entry = { node: node, widgets: [] };
      section.fields.forEach(function (spec) {
        var widget = makeWidget(spec);
        widgets.push(widget);
        entry.widgets.push(widget);
        node.appendChild(widget.wrapper);
      });
      sections.push(entry);
      root.appendChild(node);
    });
    container.appendChild(root);

    // What is posted, for every field: a table without its blank rows, so that the row
    // numbers of the browser's errors and of the server's are the same.
    function rawAnswers() {
      var raw = {};
      widgets.forEach(function (widget) {
        if (!hasOwn(raw, widget.key)) raw[widget.key] = answerOf(widget);
      });
      return raw;
    }

    function answerOf(widget) {
      if (widget.answer) return widget.answer();
      var value = widget.read();
      if (typeof value === "string" && value === "") return null;
      if (Array.isArray(value) && !value.length) return null;
      return value;
    }

    function answers() {
      var state = analyse(definition, rawAnswers());
      var out = {};
      widgets.forEach(function (widget, index) {
        if (state.fieldVisible[index] && !hasOwn(out, widget.key)) out[widget.key] = answerOf(widget);
      });
      return out;
    }

    function hiddenInput() {
      var form = container.closest ? container.closest("form") : null;
      return form ? form.querySelector("input[type=hidden][name=answers]") : null;
    }

    function refresh() {
      var state = analyse(definition, rawAnswers());
      widgets.forEach(function (widget, index) {
        var visible = Boolean(state.fieldVisible[index]);
        widget.wrapper.hidden = !visible;
        widget.setRequired(visible ? Boolean(state.required[widget.key]) : truthy(widget.spec.required));
      });
      sections.forEach(function (entry, index) {
        entry.node.hidden = !state.sectionVisible[index] || entry.widgets.every(function (w) { return w.wrapper.hidden; });
      });
      var target = detached ? null : hiddenInput();
      if (target && !readOnly) target.value = JSON.stringify(answers());
      return state;
    }

    function findWidget(key) {
      return widgets.filter(function (w) { return w.key === key; })[0] || null;
    }

    function setErrors(errors) {
      clear(general);
      widgets.forEach(function (widget) {
        widget.clearErrors();
        if (widget.clearCells) widget.clearCells();
      });
      var leftovers = [];
      Object.keys(isObject(errors) ? errors : {}).forEach(function (where) {
        var list = Array.isArray(errors[where]) ? errors[where].filter(isObject) : [];
        if (!list.length) return;
        var widget = findWidget(where);
        if (widget) {
          widget.showErrors(list);
          return;
        }
        var cell = /^([^.]+)\.(\d+)\.(.+)$/.exec(where);
        var table = cell ? findWidget(cell[1]) : null;
        if (table && table.showCellErrors) {
          if (table.showCellErrors(parseInt(cell[2], 10), cell[3], list)) return;
          table.showErrors(list.map(function (e) {
            return { message: format(words.row, { n: parseInt(cell[2], 10) + 1 }) + " · " + cell[3] + ": " + messageFor(words, e) };
          }));
          return;
        }
        if (where === "__all__") return; // the page shows these above the form
        list.forEach(function (e) { leftovers.push(e); });
      });
      if (leftovers.length) general.appendChild(errorList(words, leftovers));
    }

    function validate() {
      var state = analyse(definition, rawAnswers());
      setErrors(state.errors);
      return state.errors;
    }

    // Typing drops the stale errors of that field (or cell); any change works visibility out
    // again. A "change" (fired on blur) clears nothing: the layout must not shift under the
    // pointer between mousedown and mouseup on, say, a "remove row" button.
    function changed(widget, event) {
      if (widget && !(event && event.type === "change")) {
        var td = event && event.target && event.target.closest ? event.target.closest(".ff-cell") : null;
        if (td && widget.clearCell) widget.clearCell(td);
        else if (!td) widget.clearErrors();
      }
      refresh();
    }

    function onInput(event) {
      var wrapper = event.target && event.target.closest ? event.target.closest(".ff-field") : null;
      var key = wrapper ? wrapper.getAttribute("data-key") : null;
      changed(key === null ? null : findWidget(key), event);
    }
    root.addEventListener("input", onInput);
    root.addEventListener("change", onInput);

    var controller = {
      element: root,
      answers: answers,
      visibleKeys: function () { return analyse(definition, rawAnswers()).visible; },
      validate: validate,
      setErrors: setErrors,
      refresh: refresh,
    };
    container.__facilisForm = controller;

    var form = !detached && container.closest ? container.closest("form") : null;
    if (form && !container.__facilisSubmitHook) {
      container.__facilisSubmitHook = true;
      form.addEventListener("submit", function () {
        var current = container.__facilisForm;
        var target = form.querySelector("input[type=hidden][name=answers]");
        if (current && target) target.value = JSON.stringify(current.answers());
      });
    }

    refresh();
    if (isObject(settings.errors)) setErrors(settings.errors);
    return controller;
  }

  // ---------------------------------------------------------------------------------
  // Auto-initialisation: <div data-facilis-form="config-id"> + <script type="application/json" id="config-id">
  // ---------------------------------------------------------------------------------

  function autoInit() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-facilis-form]"), function (node) {
      if (node.__facilisForm) return;
      var source = document.getElementById(node.getAttribute("data-facilis-form"));
      var config;
      try {
        config = JSON.parse(source ? source.textContent : "null");
      } catch (error) {
        config = null;
      }
      if (!isObject(config)) {
        if (global.console) global.console.error("FacilisForms: no configuration for", node);
        return;
      }
      render(node, config.definition, {
        lang: config.lang,
        values: config.values,
        errors: config.errors,
        readOnly: config.readOnly,
        refs: config.refs,
        uploadUrl: config.uploadUrl,
        messages: config.messages,
        csrfToken: csrfToken(),
      });
    });
  }

  global.FacilisForms = {
    FIELD_TYPES: FIELD_TYPES.slice(),
    OPERATORS_FOR: OPERATORS_FOR,
    MESSAGES: MESSAGES,
    evaluate: evaluate,
    clean: clean,
    analyse: analyse,
    visibleKeys: visibleKeys,
    render: render,
    textIn: textIn,
    translatePattern: translatePattern,
    autoInit: autoInit,
    dom: { h: h, clear: clear },
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", autoInit);
  else autoInit();
})(window);
