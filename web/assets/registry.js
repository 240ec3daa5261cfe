// Progressive enhancement only: every page of the registry works without JavaScript.
// Loaded as a module, so it runs only in browsers the design system supports.
import { initAll } from "./nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
