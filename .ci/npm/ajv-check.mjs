// Checks the front-matter schemas of `demand schema` with Ajv, the
// validator of the YAML language server and most JavaScript tools.
// Input (a JSON file named on the command line):
//   {schemas: {DRAFT: schema}, cases: [{name, doc, fails: [{path, keywords}] | null}],
//    pattern_schemas: {DRAFT: schema}, patterns: [{field, go, js, s, match}]}
// A case with fails: null must pass; otherwise it must fail with an error
// at each path whose keyword is one of keywords. Prints one line a check
// and "N passed, N failed"; exits 1 when any failed.
import { readFileSync } from "node:fs";
import Ajv07 from "ajv";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
let passed = 0, failed = 0;
const check = (ok, what, detail) => {
  if (ok) passed++;
  else { failed++; console.log(`not ok: ${what}${detail ? ": " + detail : ""}`); }
};
const engines = { "07": Ajv07.default ?? Ajv07, "2020-12": Ajv2020.default ?? Ajv2020 };
for (const [draft, schema] of Object.entries(input.schemas)) {
  // strict: unknown keywords, formats and ill-typed keywords are errors,
  // and the schema must be valid against its draft's meta-schema.
  const ajv = new engines[draft]({ allErrors: true, strict: true, strictTypes: false });
  addFormats(ajv);
  let validate;
  try {
    validate = ajv.compile(schema);
    check(true);
  } catch (e) {
    check(false, `draft ${draft}: schema rejected`, e.message);
    continue;
  }
  for (const c of input.cases) {
    const ok = validate(c.doc);
    const errs = validate.errors ?? [];
    if (!c.fails) {
      check(ok, `draft ${draft}: ${c.name} should be valid`, JSON.stringify(errs));
      continue;
    }
    check(!ok, `draft ${draft}: ${c.name} should be invalid`);
    for (const f of c.fails) {
      const hit = errs.some((e) => e.instancePath === f.path && f.keywords.includes(e.keyword));
      check(hit, `draft ${draft}: ${c.name} should fail ${f.keywords.join("|")} at "${f.path}"`,
        JSON.stringify(errs.map((e) => [e.instancePath, e.keyword])));
    }
  }
}
// Fields with translated patterns: each field's schema, compiled by each
// draft's Ajv, must say what Go's regexp says.
for (const [draft, schema] of Object.entries(input.pattern_schemas ?? {})) {
  const ajv = new engines[draft]({ allErrors: true, strict: true, strictTypes: false });
  addFormats(ajv);
  let validate;
  try {
    validate = ajv.compile(schema);
    check(true);
  } catch (e) {
    check(false, `draft ${draft}: schema with translated patterns rejected`, e.message);
    continue;
  }
  const fields = {};
  for (const [k, v] of Object.entries(schema.properties)) fields[k] = ajv.compile({ $schema: schema.$schema, ...v });
  for (const p of input.patterns ?? []) {
    const got = fields[p.field](p.s);
    check(got === p.match, `draft ${draft}: field ${p.field} (pattern ${p.go}) on ${JSON.stringify(p.s)}`,
      `Ajv says ${got}, Go says ${p.match}`);
  }
}
for (const p of input.patterns ?? []) {
  let got;
  try {
    got = new RegExp(p.js, "u").test(p.s);
  } catch (e) {
    check(false, `pattern ${p.js} (from ${p.go})`, e.message);
    continue;
  }
  check(got === p.match, `pattern ${p.js} (from ${p.go}) on ${JSON.stringify(p.s)}`, `JavaScript says ${got}, Go says ${p.match}`);
}
console.log(`ajv: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
