/* "Stampa la scheda": shows the print button (hidden without JavaScript) and writes the
   page's full address into the printout. Printing also works from the browser's menu. */
(function () {
  "use strict";
  var address = document.querySelector("[data-indirizzo]");
  if (address) {
    address.textContent = window.location.href.split("#")[0];
  }
  document.querySelectorAll("[data-stampa]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
