/* "Foglio per la persona": puts the short sheets of the chosen services (?s=slug&s=…)
   together in the page, on any static host. Nothing is stored: the choice lives in the
   address only. When the server has already composed the sheet, this does nothing. */
(function () {
  "use strict";
  var MAX = 20, SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
  var box = document.getElementById("foglio");
  if (!box) return;
  /* the printed sheet shows each page's full address */
  function absolute() {
    box.querySelectorAll(".scheda-foglio dd a").forEach(function (a) { a.textContent = a.href; });
  }
  if (box.querySelector(".scheda-foglio")) { absolute(); return; }
  var seen = {}, chosen = [];
  new URLSearchParams(location.search).getAll("s").forEach(function (s) {
    if (SLUG.test(s) && !seen[s] && chosen.length < MAX) { seen[s] = true; chosen.push(s); }
  });
  chosen.forEach(function (s) {
    var box = document.getElementById("s-" + s);
    if (box) box.checked = true;
  });
  if (!chosen.length) return;
  var form = document.querySelector("form.scelta-servizi");
  var base = form ? form.getAttribute("action").replace(/\/foglio\/$/, "") : "";
  Promise.all(chosen.map(function (s) {
    return fetch(base + "/servizi/" + s + "/scheda.html").then(function (r) { return r.ok ? r.text() : ""; });
  })).then(function (parts) {
    box.innerHTML = parts.join("");
    absolute();
  });
})();
