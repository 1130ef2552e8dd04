/* File uploads on the task, case and start pages (web/templates/cases/_notes.html).
 *
 * Lists the chosen files by name, and lets files be dropped on the drop zone (they go
 * into its "Choose files" input). Without this script the inputs work as they are.
 */
(function () {
  "use strict";

  function list(zone) {
    var chosen = zone.querySelector("[data-chosen]");
    chosen.textContent = "";
    zone.querySelectorAll("[data-file-input]").forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (file) {
        var item = document.createElement("li");
        item.textContent = file.name;
        chosen.appendChild(item);
      });
    });
  }

  document.querySelectorAll("[data-dropzone]").forEach(function (zone) {
    var many = zone.querySelector("input[multiple]");
    var hint = zone.querySelector(".drop-hint");
    if (hint) hint.hidden = false;
    zone.querySelectorAll("[data-file-input]").forEach(function (input) {
      input.addEventListener("change", function () { list(zone); });
    });
    zone.addEventListener("dragover", function (event) {
      event.preventDefault();
      zone.classList.add("dragging");
    });
    zone.addEventListener("dragleave", function () { zone.classList.remove("dragging"); });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("dragging");
      if (many && event.dataTransfer && event.dataTransfer.files.length) {
        many.files = event.dataTransfer.files;
        list(zone);
      }
    });
  });
})();
