"use strict";

// The routes, kept apart from the listening socket so tests can start the app on any port.
const express = require("express");
const pkg = require("./package.json");

function createApp() {
  const app = express();
  const startedAt = new Date();

  // Only the real app knows its own name and version: a probe that sees them
  // knows it reached this server and not some other process on the port.
  app.get("/", (req, res) => {
    res.json({
      app: pkg.name,
      version: pkg.version,
      node: process.version,
      user: process.getuid ? process.getuid() : null,
      startedAt: startedAt.toISOString(),
    });
  });

  app.get("/healthz", (req, res) => {
    res.type("text/plain").send("ok\n");
  });

  return app;
}

module.exports = { createApp };
