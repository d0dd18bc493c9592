// Validates a compose file against the Compose Specification's JSON schema (compose-spec.json, vendored from
// github.com/compose-spec/compose-spec, schema/compose-spec.json at 170098ba07d9f53c383a41bfd4c5166b0a4529a6):
// the check `docker compose config` would make, without Docker. Exit code 1 on any error.
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import { parse } from "yaml";

const file = process.argv[2] ?? "docker-compose.yml";
const schema = JSON.parse(readFileSync(new URL("./compose-spec.json", import.meta.url), "utf8"));
// Not strict: the schema is draft-07 and uses the later "deprecated" annotation; formats are not checked. Its
// $schema names the draft-07 meta-schema without the "#" Ajv knows it by, so the schema itself is not validated.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });
const validate = ajv.compile(schema);
// uniqueKeys: a key given twice is an error in Compose too, not a silent override.
// merge: YAML merge keys (<<: *anchor), which Compose supports and docker-compose.cluster.yml uses.
const document = parse(readFileSync(file, "utf8"), { uniqueKeys: true, merge: true });
if (validate(document)) {
  console.log(`${file}: valid against the Compose Specification`);
} else {
  for (const e of validate.errors) console.error(`${file}: ${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
  process.exit(1);
}
