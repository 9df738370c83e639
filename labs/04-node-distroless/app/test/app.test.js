"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { createApp } = require("../app");
const pkg = require("../package.json");

async function withServer(options, run) {
  const server = createApp(options).listen(0);
  await new Promise((resolve) => server.once("listening", resolve));
  try {
    await run(`http://127.0.0.1:${server.address().port}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

test("GET / names the app and its version", async () => {
  await withServer({ dataDir: null }, async (base) => {
    const response = await fetch(`${base}/`);
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.app, pkg.name);
    assert.equal(body.version, pkg.version);
    assert.equal(body.visits, null);
  });
});

test("GET / leaves out the nonce when none is asked for", async () => {
  await withServer({ dataDir: null }, async (base) => {
    const body = await (await fetch(`${base}/`)).json();
    assert.equal("nonce" in body, false);
  });
});

test("GET /?nonce=X echoes the token with the app's name", async () => {
  await withServer({ dataDir: null }, async (base) => {
    const response = await fetch(`${base}/?nonce=3f9a1c`);
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.match(text, /"nonce":"3f9a1c"/);
    assert.equal(JSON.parse(text).app, pkg.name);
  });
});

test("GET /healthz answers ok", async () => {
  await withServer({ dataDir: null }, async (base) => {
    const response = await fetch(`${base}/healthz`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "ok\n");
  });
});

test("an unknown path is a 404", async () => {
  await withServer({ dataDir: null }, async (base) => {
    const response = await fetch(`${base}/nope`);
    assert.equal(response.status, 404);
  });
});

test("with a data folder, GET / counts visits in a file", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "visits-"));
  try {
    await withServer({ dataDir }, async (base) => {
      await fetch(`${base}/`);
      const body = await (await fetch(`${base}/`)).json();
      assert.equal(body.visits, 2);
    });
    assert.deepEqual(
      JSON.parse(fs.readFileSync(path.join(dataDir, "visits.json"), "utf8")),
      { visits: 2 },
    );
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test("an unwritable data folder is a 500 that names no file", async () => {
  await withServer({ dataDir: "/nonexistent/folder" }, async (base) => {
    const response = await fetch(`${base}/`);
    assert.equal(response.status, 500);
    assert.match((await response.json()).error, /logs/);
  });
});
