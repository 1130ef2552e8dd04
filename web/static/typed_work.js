/* Work typed on a task page outlives the page's other forms (web/templates/tasks/show.html).
 *
 * Attaching a photo or adding a comment sends another form, and the page comes back
 * without what had been typed into the task's own form: a technician lost the job
 * report they had written. So, as another form is sent, the work form's values are kept
 * in this tab's sessionStorage, and the page that comes back puts them back, once.
 * Chosen files cannot be put back (browsers forbid it); without this script nothing
 * is kept, as before.
 */
(function () {
  "use strict";

  var work = document.querySelector("form.work-form");
  if (!work || !window.sessionStorage) return;
  var key = "raciflow.typed:" + work.getAttribute("action");

  function kept(input) {
    return input.name && input.name !== "csrf_token" && input.type !== "file" &&
      input.type !== "hidden" && input.type !== "submit" && input.type !== "button";
  }

  function typed() {
    var values = [];
    Array.prototype.forEach.call(work.elements, function (input) {
      if (!kept(input)) return;
      if (input.type === "checkbox" || input.type === "radio") {
        values.push([input.name, input.value, input.checked]);
      } else {
        values.push([input.name, input.value]);
      }
    });
    return values;
  }

  function putBack(values) {
    values.forEach(function (entry) {
      var matches = work.querySelectorAll("[name='" + CSS.escape(entry[0]) + "']");
      Array.prototype.forEach.call(matches, function (input) {
        if (!kept(input)) return;
        if (input.type === "checkbox" || input.type === "radio") {
          if (input.value === entry[1]) input.checked = entry[2];
        } else {
          input.value = entry[1];
        }
      });
    });
  }

  var saved = sessionStorage.getItem(key);
  if (saved) {
    sessionStorage.removeItem(key);
    try { putBack(JSON.parse(saved)); } catch (ignored) { /* a stale or foreign entry */ }
  }

  document.querySelectorAll("form").forEach(function (form) {
    if (form === work) return;
    form.addEventListener("submit", function () {
      sessionStorage.setItem(key, JSON.stringify(typed()));
    });
  });
})();
