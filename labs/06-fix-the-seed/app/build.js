"use strict";

// `npm run build`: records what was built and by which Node.js into
// dist/build-info.json. The server shows it, so you can tell whether the image
// you run holds the output of the build stage.
const fs = require("node:fs");
const path = require("node:path");
const pkg = require("./package.json");

const outDir = path.join(__dirname, "dist");
fs.mkdirSync(outDir, { recursive: true });
const info = {
  app: pkg.name,
  version: pkg.version,
  builtWith: process.version,
};
fs.writeFileSync(
  path.join(outDir, "build-info.json"),
  JSON.stringify(info, null, 2) + "\n",
);
console.log(`wrote dist/build-info.json for ${pkg.name} ${pkg.version}`);
