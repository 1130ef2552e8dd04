/* Progressive help for the task and start forms (web/templates/tasks/_form.html).
 *
 * - Repeating groups (fieldset[data-rows]): "Add a row" and "Remove this row" buttons.
 *   Rows are named <list>-<index>-<column>; the server drops blank rows and renumbers,
 *   so a new row takes the next free index and a removed row simply disappears.
 * - Decision-driven fields ([data-needed-when]): required (and starred) only while the
 *   deciding field holds a value that needs them, so the other paths are never blocked.
 * - Sent once: a second press while the page is on its way is ignored (a double click
 *   started two emergency orders).
 * Without this script the page still works: one spare row, and the server says what a
 *   choice needs.
 */
(function () {
  "use strict";

  function rowsOf(fieldset) {
    return Array.prototype.slice.call(fieldset.querySelectorAll(":scope > .row-group"));
  }

  function renumber(row, list, index, label) {
    row.dataset.row = String(index);
    row.setAttribute("aria-label", label.replace("{n}", String(index + 1)));
    row.querySelectorAll("[name]").forEach(function (input) {
      var column = input.name.slice(input.name.indexOf("-", list.length + 1) + 1);
      var name = list + "-" + index + "-" + column;
      var field = input.closest(".field");
      var labelFor = field && field.querySelector("label[for='" + input.id + "']");
      input.name = name;
      input.id = "f-" + name;
      if (labelFor) labelFor.htmlFor = input.id;
    });
  }

  function clear(row) {
    row.querySelectorAll("input, select, textarea").forEach(function (input) {
      if (input.type === "checkbox") input.checked = false;
      else input.value = "";
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    });
    row.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
    row.querySelectorAll(".has-error").forEach(function (e) { e.classList.remove("has-error"); });
  }

  function removeButton(fieldset, row) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary row-remove";
    button.textContent = fieldset.dataset.removeLabel;
    button.addEventListener("click", function () {
      if (rowsOf(fieldset).length > 1) {
        row.remove();
      } else {
        clear(row);
      }
      var first = rowsOf(fieldset)[0];
      var target = first && first.querySelector("input, select, textarea");
      if (target) target.focus();
    });
    row.appendChild(button);
  }

  function setUpRows(fieldset) {
    var list = fieldset.dataset.rows;
    var label = fieldset.dataset.rowLabel;
    var max = parseInt(fieldset.dataset.maxRows, 10) || 100;
    rowsOf(fieldset).forEach(function (row) { removeButton(fieldset, row); });
    var add = document.createElement("button");
    add.type = "button";
    add.className = "secondary row-add";
    add.textContent = fieldset.dataset.addLabel;
    add.addEventListener("click", function () {
      var rows = rowsOf(fieldset);
      var next = rows.reduce(function (top, r) {
        return Math.max(top, parseInt(r.dataset.row, 10));
      }, -1) + 1;
      if (next >= max) return;
      var last = rows[rows.length - 1];
      var row = last.cloneNode(true);
      row.querySelectorAll(".row-remove").forEach(function (b) { b.remove(); });
      clear(row);
      renumber(row, list, next, label);
      removeButton(fieldset, row);
      last.after(row);
      var first = row.querySelector("input, select, textarea");
      if (first) first.focus();
    });
    var hint = fieldset.querySelector(":scope > .hint:last-of-type");
    fieldset.insertBefore(add, hint || null);
  }

  function valueOf(form, name) {
    var input = form.elements.namedItem(name);
    if (!input) return null;
    if (input.type === "checkbox") return input.checked ? "on" : "";
    return input.value;
  }

  function applyNeeded(form) {
    form.querySelectorAll("[data-needed-when]").forEach(function (holder) {
      var when = JSON.parse(holder.dataset.neededWhen);
      var needed = Object.keys(when).every(function (name) {
        return when[name].indexOf(valueOf(form, name)) !== -1;
      });
      var star = holder.querySelector("abbr.req");
      if (star) star.hidden = !needed;
      holder.classList.toggle("is-needed", needed);
      if (holder.dataset.rows) return; // a list: the server asks for a line, cells stay optional
      holder.querySelectorAll("input:not([type=checkbox]), select, textarea").forEach(function (i) {
        i.required = needed;
      });
    });
  }

  function sendOnce(form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
    });
    // Back to this page from the next one (the browser's cache): it may be sent again.
    window.addEventListener("pageshow", function () { delete form.dataset.sent; });
  }

  function setUpForm(form) {
    sendOnce(form);
    form.querySelectorAll("fieldset[data-rows]").forEach(setUpRows);
    if (form.querySelector("[data-needed-when]")) {
      applyNeeded(form);
      form.addEventListener("change", function () { applyNeeded(form); });
    }
  }

  document.querySelectorAll("form.work-form").forEach(setUpForm);
})();
