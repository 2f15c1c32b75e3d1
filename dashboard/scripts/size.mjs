// Prints the dashboard's initial JavaScript (what index.html loads before
// any view: the entry script and its modulepreloads), gzipped, against the
// 300 KB budget, plus every chunk. Exits 1 over budget.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET = 300 * 1024;
const dist = new URL("../dist/", import.meta.url).pathname;
const html = readFileSync(join(dist, "index.html"), "utf8");
const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

let total = 0;
for (const file of initial) total += gz(file);
const chunks = readdirSync(join(dist, "assets"))
  .filter((f) => f.endsWith(".js"))
  .map((f) => ({ file: f, gzip: gz(join("assets", f)), initial: initial.includes(`assets/${f}`) }))
  .sort((a, b) => b.gzip - a.gzip);
console.log("chunk".padEnd(44), "gzip".padStart(10), " initial");
for (const c of chunks) console.log(c.file.padEnd(44), kb(c.gzip).padStart(10), c.initial ? " yes" : "");
console.log(`initial JavaScript: ${kb(total)} gzipped (budget ${kb(BUDGET)})`);
console.log(JSON.stringify({ initial_js_gzip_bytes: total, budget_bytes: BUDGET, files: initial }));
if (total > BUDGET) process.exit(1);
