// Prints one value of a ConfigMap in Kubernetes manifests, so that a test
// can give a pod's command the files Kubernetes would mount.
//
//   node tests/kubernetes/configmap.mjs FILE.yaml NAME KEY
import { readFileSync } from "node:fs";
import yaml from "js-yaml";

const [file, name, key] = process.argv.slice(2);
const map = yaml.loadAll(readFileSync(file, "utf8")).find((d) => d?.kind === "ConfigMap" && d.metadata.name === name);
if (!map || !(key in map.data)) {
  console.error(`${file}: no ConfigMap ${name} with ${key}`);
  process.exit(1);
}
process.stdout.write(map.data[key]);
