// huitou's few conveniences in the browser. Every page works without them.
(function () {
  "use strict";

  // A "select all" box ticks or clears every box of its table's body.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches && box.matches("input[type=checkbox][data-select-all]")) {
      var table = box.closest("table");
      table.querySelectorAll("tbody input[type=checkbox]").forEach(function (b) {
        b.checked = box.checked;
      });
    }
    // A choice that only narrows a list shows the narrowed list at once.
    if (box.matches && box.matches("select[data-autosubmit]") && box.form) {
      box.form.submit();
    }
  });

  // A value shown once (a new API token) is selected whole when focused, ready to copy.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("input[data-select-on-focus]")) {
      event.target.select();
    }
  });
})();
