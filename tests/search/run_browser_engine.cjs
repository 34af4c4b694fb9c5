// Runs the browser search script (templates/static/cerca.js) in Node over a built site's
// static index: reads {"site": ..., "queries": [{"q": ..., "filters": {...}}]} on stdin and
// prints one result per query as JSON.
"use strict";
const fs = require("fs");
const path = require("path");
const { Engine, Index } = require(path.join(__dirname, "..", "..", "templates", "static", "cerca.js"));

async function main() {
  const input = JSON.parse(fs.readFileSync(0, "utf8"));
  // the index of another language is in _search/<lang>/
  const base = path.join(input.site, "_search", input.lang || "") + path.sep;
  const fetched = new Set();
  const out = [];
  for (const item of input.queries) {
    // a fresh engine per query: what a browser fetches for a first search
    fetched.clear();
    const index = new Index(base, async (file) => {
      fetched.add(file);
      return JSON.parse(fs.readFileSync(file, "utf8"));
    });
    const engine = await new Engine(index).open();
    const res = await engine.search(item.q, item.filters || {}, item.limit || 20, 0);
    out.push({ fetched: Array.from(fetched).sort(), query: res.query, total: res.total, suggestion: res.suggestion, message: res.message, guidance: res.guidance,
               slugs: res.results.map((r) => r.slug), snippets: res.results.map((r) => r.snippet),
               scores: res.results.map((r) => r.score), langs: res.results.map((r) => r.lingua) });
  }
  process.stdout.write(JSON.stringify(out));
}
main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
