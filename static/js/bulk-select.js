// Trainee lists: a header check box ticks every row of the page (the bulk form's "all that match" needs no script).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[data-check-all]")) { return; }
    var name = box.getAttribute("data-check-all");
    document.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (row) {
      row.checked = box.checked;
    });
  });
})();
