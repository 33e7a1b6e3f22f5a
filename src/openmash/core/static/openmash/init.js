// Start the GOV.UK Frontend components on every page (no inline script: the CSP forbids it).
import { initAll } from "/static/govuk/govuk-frontend.min.js";
initAll();
