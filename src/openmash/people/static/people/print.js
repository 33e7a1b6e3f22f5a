// The "Print this page" button on a printable page (a script file: the CSP allows no inline handlers).
for (const button of document.querySelectorAll("[data-openmash-print]")) {
  button.addEventListener("click", () => window.print());
}
