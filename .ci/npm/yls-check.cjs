// Checks the front-matter schema (draft-07) with the YAML language
// server, the validator behind VS Code's YAML extension and Neovim's and
// JetBrains' yamlls: the same input as ajv-check.mjs, each case's `yaml`
// text (a sample file's own front matter; a broken variant as JSON, which
// is YAML) validated as an editor would. A case with fails: null must get
// no diagnostic; a broken one at least one, unless it is in yls_misses
// (rules the server does not check, such as impossible dates). Prints one
// line a failed check and "N passed, N failed"; exits 1 when any failed.
const { readFileSync } = require("node:fs");
const { getLanguageService } = require("yaml-language-server");
const { TextDocument } = require("vscode-languageserver-textdocument");

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const schema = input.schemas["07"];
const uri = "file:///schema/demand.schema.json";
const ls = getLanguageService({
  schemaRequestService: async (u) => {
    if (u === uri) return JSON.stringify(schema);
    throw new Error(`no schema at ${u}`);
  },
  workspaceContext: { resolveRelativePath: (rel, res) => new URL(rel, res).toString() },
});
ls.configure({ validate: true, completion: true, schemas: [{ uri, fileMatch: ["*.yaml"], schema }] });
let passed = 0, failed = 0;
const check = (ok, what) => { if (ok) passed++; else { failed++; console.log(`not ok: ${what}`); } };
(async () => {
  let n = 0;
  for (const c of input.cases) {
    const doc = TextDocument.create(`file:///demands/case-${n++}.yaml`, "yaml", 1, c.yaml);
    const diags = await ls.doValidation(doc, false);
    const msgs = diags.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`).join("; ");
    if (!c.fails) check(diags.length === 0, `${c.name} should get no diagnostic: ${msgs}`);
    else if ((input.yls_misses ?? []).includes(c.name)) check(diags.length === 0, `${c.name} is now caught: drop it from yls_misses (${msgs})`);
    else check(diags.length > 0, `${c.name} should get a diagnostic`);
  }
  // Completion offers a field's values from the schema.
  const doc = TextDocument.create("file:///demands/complete.yaml", "yaml", 1, "urgency: ");
  const items = (await ls.doComplete(doc, { line: 0, character: 9 }, false)).items.map((i) => i.label);
  check(items.includes("urgent") && items.includes("long-term"), `completion of urgency offers its values: ${items}`);
  console.log(`yaml-language-server: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
})();
