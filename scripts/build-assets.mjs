// Copy the built GOV.UK, MOJ and htmx assets from node_modules into static_build/.
// Run by `make install` after `npm ci`; static_build/ is never committed.
import { cpSync, mkdirSync, rmSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "static_build");
const nm = join(root, "node_modules");

const copies = [
  ["govuk-frontend/dist/govuk/govuk-frontend.min.css", "govuk/govuk-frontend.min.css"],
  ["govuk-frontend/dist/govuk/govuk-frontend.min.js", "govuk/govuk-frontend.min.js"],
  ["govuk-frontend/dist/govuk/assets", "govuk/assets"],
  ["@ministryofjustice/frontend/moj/moj-frontend.min.css", "moj/moj-frontend.min.css"],
  ["@ministryofjustice/frontend/moj/moj-frontend.min.js", "moj/moj-frontend.min.js"],
  ["@ministryofjustice/frontend/moj/assets", "moj/assets"],
  ["htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  ["vega/build/vega.min.js", "charts/vega.min.js"],
  ["vega-lite/build/vega-lite.min.js", "charts/vega-lite.min.js"],
  ["vega-embed/build/vega-embed.min.js", "charts/vega-embed.min.js"],
  ["cytoscape/dist/cytoscape.min.js", "charts/cytoscape.min.js"],
];

rmSync(out, { recursive: true, force: true });
for (const [from, to] of copies) {
  const source = join(nm, from);
  if (!existsSync(source)) {
    console.error(`Missing front-end asset: ${from}. Run npm ci first.`);
    process.exit(1);
  }
  mkdirSync(dirname(join(out, to)), { recursive: true });
  cpSync(source, join(out, to), { recursive: true });
}
// The precompiled stylesheets point at /assets/; Django serves them under STATIC_URL.
for (const [css, prefix] of [
  ["govuk/govuk-frontend.min.css", "/static/govuk/assets/"],
  ["moj/moj-frontend.min.css", "/static/moj/assets/"],
]) {
  const path = join(out, css);
  writeFileSync(path, readFileSync(path, "utf8").replaceAll("url(/assets/", `url(${prefix}`));
}
// OpenMASH's own small stylesheet and scripts live in src/openmash/core/static/openmash.
console.log(`Front-end assets copied to ${out}`);
