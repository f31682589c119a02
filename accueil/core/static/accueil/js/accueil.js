/* Small progressive enhancements. Everything works without this file. */
(function () {
  "use strict";

  // Move focus to the error summary so screen readers announce the problems first.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  }

  // Idle-session warning: shortly before the server ends an idle session, ask the person
  // whether they are still there; "Stay signed in" pings the server, which resets the clock.
  function idleWarning() {
    var body = document.body;
    var idle = parseInt(body.dataset.idleSeconds || "0", 10);
    if (!idle) { return; }
    var warnBefore = parseInt(body.dataset.idleWarningSeconds || "120", 10);
    var dialog = document.getElementById("idle-dialog");
    var warnTimer, logoutTimer;

    function schedule() {
      clearTimeout(warnTimer);
      clearTimeout(logoutTimer);
      warnTimer = setTimeout(function () {
        if (dialog && typeof dialog.showModal === "function" && !dialog.open) { dialog.showModal(); }
      }, Math.max(idle - warnBefore, 5) * 1000);
      logoutTimer = setTimeout(function () {
        window.location.assign(body.dataset.logoutUrl + "?next=" + encodeURIComponent(window.location.pathname));
      }, (idle + 2) * 1000);
    }

    var button = dialog && dialog.querySelector("[data-action=stay-signed-in]");
    if (button) {
      button.addEventListener("click", function () {
        var token = document.querySelector("input[name=csrfmiddlewaretoken]");
        fetch(body.dataset.keepaliveUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRFToken": token ? token.value : "" }
        }).then(function (response) {
          if (response.ok) { dialog.close(); schedule(); }
          else { window.location.reload(); }
        });
      });
    }
    schedule();
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    idleWarning();
  });
}());
