// Polls a background job (import, certificate batch) and reloads the page when it ends.
// The page marks the job with data-status-url; no inline script is needed (Content-Security-Policy).
(function () {
  "use strict";
  var job = document.querySelector("[data-status-url]");
  if (!job || (job.dataset.status !== "pending" && job.dataset.status !== "running")) { return; }
  var bar = document.getElementById("job-progress");
  var message = document.getElementById("job-message");
  function poll() {
    fetch(job.dataset.statusUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (d) {
      if (bar) { bar.value = d.progress; }
      if (message) { message.textContent = d.message || "…"; }
      if (d.done) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
    }).catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();
