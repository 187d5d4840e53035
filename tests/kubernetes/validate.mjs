// Validates Kubernetes manifests offline against Kubernetes' OpenAPI schema
// (the kubernetes-models package): what `kubectl apply --dry-run=server`
// checks of types and required fields, without an API server. Every
// document of every file given must be a known kind whose fields validate.
// The schema allows fields it does not list, so a misspelt optional field
// passes here as it would without strict field validation.
//
//   node tests/kubernetes/validate.mjs FILE.yaml...
import { readFileSync } from "node:fs";
import yaml from "js-yaml";

// The kubernetes-models module of an apiVersion ("v1", "batch/v1").
function modulePath(apiVersion) {
  return `kubernetes-models/${apiVersion}`;
}

let failures = 0;
for (const file of process.argv.slice(2)) {
  const docs = yaml.loadAll(readFileSync(file, "utf8")).filter((d) => d);
  for (const doc of docs) {
    const where = `${file}: ${doc.kind ?? "?"}/${doc.metadata?.name ?? "?"}`;
    try {
      const module = await import(modulePath(doc.apiVersion));
      const Kind = module[doc.kind];
      if (!Kind) throw new Error(`unknown kind ${doc.kind} in ${doc.apiVersion}`);
      new Kind(doc).validate();
      console.log(`${where}: valid`);
    } catch (error) {
      failures++;
      console.log(`${where}: INVALID: ${error.message.split("\n").slice(0, 5).join(" ")}`);
    }
  }
}
process.exit(failures ? 1 : 0);
