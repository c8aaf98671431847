/* The covenant calendar opens at this week: without an anchor in the address, scroll this
   week's row into view (a link with an anchor, such as one from the calendar feed, wins). */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var current = document.querySelector("tr[aria-current=date]");
  if (current && !window.location.hash) {
    current.scrollIntoView({ block: "center" });
  }
});
