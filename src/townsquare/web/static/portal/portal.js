// Every portal page: start GOV.UK Frontend's components (error summary focus, details, character counts...).
// Pages work without it; this only makes them nicer.
import { initAll } from "/static/build/govuk-frontend.min.js";

initAll();
