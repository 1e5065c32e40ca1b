// Behaviour shared by every page, bound here because the Content-Security-Policy allows no inline handlers.
(function () {
  "use strict";
  // <select data-autosubmit>: choosing an option submits its form (the language switch).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) { el.form.submit(); }
  });
})();
