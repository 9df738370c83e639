"use strict";

const fs = require("node:fs");
const path = require("node:path");
const express = require("express");
const pkg = require("./package.json");

// The build step's output, if this copy of the app was built.
function buildInfo() {
  try {
    return JSON.parse(
      fs.readFileSync(path.join(__dirname, "dist", "build-info.json"), "utf8"),
    );
  } catch {
    return null;
  }
}

const app = express();
app.get("/", (req, res) => {
  // GET /?nonce=X answers with "nonce":"X": a grader sends a fresh random token,
  // so only a server that really runs this code can answer it.
  const nonce = req.query.nonce;
  res.json({
    app: pkg.name,
    version: pkg.version,
    node: process.version,
    build: buildInfo(),
    ...(nonce === undefined ? {} : { nonce: String(nonce) }),
  });
});
app.get("/healthz", (req, res) => res.type("text/plain").send("ok\n"));

if (require.main === module) {
  const port = Number(process.env.PORT || 3000);
  const server = app.listen(port, () =>
    console.log(`seed-app listening on port ${port}`),
  );
  // PID 1 in a container gets no default SIGTERM action: close and exit ourselves.
  const shutDown = () => server.close(() => process.exit(0));
  process.on("SIGTERM", shutDown);
  process.on("SIGINT", shutDown);
}

module.exports = { app };
