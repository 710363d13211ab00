// Copies the files the pages load from node_modules/ into crm_core/static/vendor/<package>/,
// as listed under "vendor" in package.json, and records the installed versions in
// crm_core/static/vendor/versions.json (the wheel build checks that file is there).
// Run by scripts/assets after `npm ci`; the copies are build output, never committed.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const target = join(root, "crm_core", "static", "vendor");
rmSync(target, { recursive: true, force: true });
const versions = {};
for (const [pkg, files] of Object.entries(manifest.vendor)) {
  const source = join(root, "node_modules", pkg);
  const installed = join(source, "package.json");
  if (!existsSync(installed)) {
    console.error(`scripts/assets: ${pkg} is not installed in node_modules/ (run npm ci)`);
    process.exit(1);
  }
  versions[pkg] = JSON.parse(readFileSync(installed, "utf8")).version;
  for (const file of files) {
    const from = join(source, file);
    if (!existsSync(from)) {
      console.error(`scripts/assets: ${pkg} ${versions[pkg]} has no ${file}`);
      process.exit(1);
    }
    const to = join(target, pkg, file);
    mkdirSync(dirname(to), { recursive: true });
    cpSync(from, to);
  }
}
writeFileSync(join(target, "versions.json"), JSON.stringify(versions, null, 2) + "\n");
console.log(`front-end libraries copied to crm_core/static/vendor: ${Object.entries(versions).map(([p, v]) => `${p}@${v}`).join(", ")}`);
