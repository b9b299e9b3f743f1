/* Duplicate pair page: Alt+S "same", Alt+K "not the same" submit the decision from anywhere. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (e) {
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    const form = document.getElementById("pair-decide");
    if (!form) return;
    const button = form.querySelector('button[data-key="' + e.key.toLowerCase() + '"]');
    if (!button) return;
    e.preventDefault();
    form.requestSubmit(button);
  });
})();
