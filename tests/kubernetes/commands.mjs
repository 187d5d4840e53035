// Prints each Job's, StatefulSet's and Deployment's shell command from Kubernetes
// manifests, one line per workload ("<name>\t<command>"), so that a test
// can run what the pods run.
//
//   node tests/kubernetes/commands.mjs FILE.yaml...
import { readFileSync } from "node:fs";
import yaml from "js-yaml";

for (const file of process.argv.slice(2)) {
  for (const doc of yaml.loadAll(readFileSync(file, "utf8"))) {
    if (!doc || !["Job", "StatefulSet", "Deployment"].includes(doc.kind)) continue;
    for (const container of doc.spec.template.spec.containers)
      console.log(`${doc.metadata.name}\t${container.args.join(" ")}`);
  }
}
