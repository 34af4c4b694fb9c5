/* "Foglio per la persona": puts the chosen services (?s=slug&s=…) together in the page, on
   any static host, from each service's scheda.json in the page's language (beside the
   service's page in that language: the form's action says where). Every value goes in as text
   (textContent), never as markup; the markup is the one carta.render.sheet_html writes on
   the server. Nothing is stored: the choice lives in the address only. When the server has
   already composed the sheet, this only completes the addresses. */
(function () {
  "use strict";
  var MAX = 20, SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
  var box = document.getElementById("foglio");
  if (!box) return;
  /* the printed sheet shows each page's full address */
  function absolute() {
    box.querySelectorAll(".scheda-foglio dd a").forEach(function (a) { a.textContent = a.href; });
  }
  /* a text of the sheet's data: a string in the page's language; {it: text}, all in
     Italian (lang="it" on the element); or the list of its parts (a span for each Italian
     one) */
  function fill(el, value) {
    if (typeof value === "string") {
      el.textContent = value;
    } else if (Array.isArray(value)) {
      value.forEach(function (part) {
        if (typeof part === "string") el.appendChild(document.createTextNode(part));
        else fill(el.appendChild(document.createElement("span")), part);
      });
    } else if (value) {
      el.setAttribute("lang", "it");
      el.textContent = value.it;
    }
    return el;
  }
  function add(parent, tag, value, className) {
    var el = parent.appendChild(document.createElement(tag));
    if (className) el.className = className;
    return value === undefined ? el : fill(el, value);
  }
  function sheet(d) {
    var article = document.createElement("article");
    article.className = "scheda-foglio";
    article.setAttribute("data-slug", d.slug);
    add(article, "h2", d.titolo);
    add(article, "p", d.sommario);
    if (d.stato && d.stato.length !== 0) add(add(article, "p"), "strong", d.stato);
    var dl = add(article, "dl");
    d.righe.forEach(function (row) {
      add(dl, "dt", row[0]);
      add(dl, "dd", row[1]);
    });
    add(dl, "dt", d.etichetta_url || "Scheda completa");
    var link = add(add(dl, "dd"), "a", d.indirizzo);
    link.setAttribute("href", d.url);
    if (d.nota && d.nota.length !== 0) add(article, "p", d.nota, "verificato");
    return article;
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
    return fetch(base + "/servizi/" + s + "/scheda.json")
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; });
  })).then(function (sheets) {
    box.textContent = "";
    sheets.forEach(function (d) { if (d) box.appendChild(sheet(d)); });
    absolute();
  });
})();
