"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { createApp } = require("../app");
const pkg = require("../package.json");

async function withServer(run) {
  const server = createApp().listen(0);
  await new Promise((resolve) => server.once("listening", resolve));
  try {
    await run(`http://127.0.0.1:${server.address().port}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

test("GET / names the app and its version", async () => {
  await withServer(async (base) => {
    const response = await fetch(`${base}/`);
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.app, pkg.name);
    assert.equal(body.version, pkg.version);
  });
});

test("GET /healthz answers ok", async () => {
  await withServer(async (base) => {
    const response = await fetch(`${base}/healthz`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "ok\n");
  });
});

test("an unknown path is a 404", async () => {
  await withServer(async (base) => {
    const response = await fetch(`${base}/nope`);
    assert.equal(response.status, 404);
  });
});
