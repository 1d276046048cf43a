/* confbot's room screen: ticks the countdown and swaps in each update the server sends (server-sent
   events). The server renders every update as the screen's whole inner HTML; nothing else is fetched. */
(function () {
  "use strict";
  var body = document.body;
  var screen = document.getElementById("screen");
  // the server's clock minus this one: the countdown counts the server's time (the programme's clock)
  var offset = Number(body.getAttribute("data-now")) - Date.now();

  function two(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function tick() {
    var clocks = screen.querySelectorAll("[data-until]");
    for (var i = 0; i < clocks.length; i++) {
      var left = Math.max(0, Math.round((Number(clocks[i].getAttribute("data-until")) - Date.now() - offset) / 1000));
      var hours = Math.floor(left / 3600);
      var minutes = Math.floor((left % 3600) / 60);
      clocks[i].textContent = (hours ? hours + ":" + two(minutes) : String(minutes)) + ":" + two(left % 60);
    }
  }

  tick();
  window.setInterval(tick, 1000);
  if (!window.EventSource) {
    return;
  }
  var source = new EventSource(body.getAttribute("data-events"));
  source.addEventListener("screen", function (event) {
    var update = JSON.parse(event.data);
    offset = update.now - Date.now();
    screen.innerHTML = update.html;
    body.classList.remove("offline");
    tick();
  });
  source.addEventListener("error", function () {
    body.classList.add("offline"); // the browser reconnects by itself; the screen says it may be stale
  });
})();
