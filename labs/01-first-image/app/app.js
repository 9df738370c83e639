"use strict";

// The routes, kept apart from the listening socket so tests can start the app on any port.
const express = require("express");
const pkg = require("./package.json");
const fs = require("node:fs");
const path = require("node:path");

// A visit counter kept in a file, so the app has state to write: the usual way a
// container meets file ownership (a non-root user cannot write into a folder
// that the image created as root).
class VisitCounter {
  constructor(dataDir) {
    this.file = path.join(dataDir, "visits.json");
  }

  // Adds one visit and returns the new total. Throws the file system's error.
  record() {
    let visits = 0;
    try {
      visits = JSON.parse(fs.readFileSync(this.file, "utf8")).visits;
    } catch (error) {
      if (error.code !== "ENOENT") throw error;
    }
    visits += 1;
    fs.writeFileSync(this.file, JSON.stringify({ visits }) + "\n");
    return visits;
  }
}

// GET /?nonce=X answers with "nonce":"X": a grader sends a fresh random token, so
// only a server that really runs this code can answer it (a canned reply cannot).
function nonceOf(req) {
  const nonce = req.query.nonce;
  return nonce === undefined ? {} : { nonce: String(nonce) };
}

// dataDir: where to count visits (DATA_DIR); null keeps no state.
function createApp({ dataDir = process.env.DATA_DIR || null } = {}) {
  const app = express();
  const startedAt = new Date();
  const counter = dataDir ? new VisitCounter(dataDir) : null;

  // Only the real app knows its own name and version: a probe that sees them
  // knows it reached this server and not some other process on the port.
  app.get("/", (req, res) => {
    let visits = null;
    if (counter) {
      try {
        visits = counter.record();
      } catch (error) {
        console.error(
          `cannot record the visit in ${counter.file}: ${error.message}`,
        );
        res.status(500).json({
          app: pkg.name,
          error: "cannot record the visit (see the container's logs)",
        });
        return;
      }
    }
    res.json({
      app: pkg.name,
      version: pkg.version,
      node: process.version,
      user: process.getuid ? process.getuid() : null,
      visits,
      startedAt: startedAt.toISOString(),
      ...nonceOf(req),
    });
  });

  app.get("/healthz", (req, res) => {
    res.type("text/plain").send("ok\n");
  });

  return app;
}

module.exports = { createApp };
