// The Telegram Mini App's first page: Telegram opens it with its launch parameters in the address's
// hash (tgWebAppData=<the signed initData>&tgWebAppVersion=...); the signed data is posted to
// /webapp/session, which checks its signature and opens the user's own page. Nothing is loaded
// from Telegram's servers (no telegram-web-app.js): the hash is all the page needs.
(function () {
  "use strict";
  var form = document.getElementById("session");
  if (!form) { return; }
  var data = new URLSearchParams(window.location.hash.slice(1)).get("tgWebAppData");
  if (data) {
    form.elements.init_data.value = data;
    form.submit();
  } else {
    document.getElementById("outside").hidden = false;
  }
})();
