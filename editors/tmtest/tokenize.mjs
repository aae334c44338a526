// Tokenize filters with the real VS Code TextMate engine (vscode-textmate + vscode-oniguruma).
// stdin: {"grammar": PATH, "texts": [TEXT, ...]}; stdout: per text, a list of
// [line, startIndex, endIndex, innermost scope] (indices in UTF-16 units, as VS Code counts).
import fs from "node:fs";
import { createRequire } from "node:module";
import vsctm from "vscode-textmate";
import oniguruma from "vscode-oniguruma";

const require = createRequire(import.meta.url);
const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));

const input = JSON.parse(fs.readFileSync(0, "utf8"));
const registry = new vsctm.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
    createOnigString: (s) => new oniguruma.OnigString(s),
  }),
  loadGrammar: async (scopeName) =>
    scopeName === "source.filterlang"
      ? vsctm.parseRawGrammar(fs.readFileSync(input.grammar, "utf8"), input.grammar)
      : null,
});
const grammar = await registry.loadGrammar("source.filterlang");
const out = [];
for (const text of input.texts) {
  let stack = vsctm.INITIAL;
  const tokens = [];
  text.split("\n").forEach((line, n) => {
    const r = grammar.tokenizeLine(line, stack);
    for (const t of r.tokens) tokens.push([n, t.startIndex, t.endIndex, t.scopes[t.scopes.length - 1]]);
    stack = r.ruleStack;
  });
  out.push(tokens);
}
process.stdout.write(JSON.stringify(out));
