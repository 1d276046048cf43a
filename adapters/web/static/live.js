// Open programme, talk and agenda pages follow the schedule: every data-poll seconds the page asks
// /programme/version, and when a schedule change or reload landed it fetches itself again and swaps
// in its new <main>, so a moved talk moves on the open page without a reload.
(function () {
  "use strict";
  var main = document.querySelector("main[data-version]");
  if (!main || !window.fetch || !window.DOMParser) { return; }
  var every = Math.max(0.2, parseFloat(main.getAttribute("data-poll")) || 15) * 1000;

  function redraw() {
    return fetch(window.location.href, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main[data-version]");
        if (fresh) {
          main.innerHTML = fresh.innerHTML;
          main.setAttribute("data-version", fresh.getAttribute("data-version"));
        }
      });
  }

  // someone typing a question or a search: the redraw waits, so nothing typed is lost
  function busy() {
    var fields = main.querySelectorAll("textarea, input[type=text], input[type=search]");
    for (var i = 0; i < fields.length; i += 1) {
      if (fields[i].value || fields[i] === document.activeElement) { return true; }
    }
    return false;
  }

  function check() {
    if (busy()) { window.setTimeout(check, every); return; }
    fetch("/programme/version", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (answer && answer.version !== main.getAttribute("data-version")) { return redraw(); }
      })
      .catch(function () { /* offline for a moment: asked again next time */ })
      .then(function () { window.setTimeout(check, every); });
  }
  window.setTimeout(check, every);
})();
