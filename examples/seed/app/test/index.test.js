"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const { app } = require("../index");

test("GET / names the seed app", async () => {
  const server = app.listen(0);
  await new Promise((resolve) => server.once("listening", resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${server.address().port}/`);
    assert.equal(response.status, 200);
    assert.equal((await response.json()).app, "seed-app");
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test("GET /?nonce=X echoes the token", async () => {
  const server = app.listen(0);
  await new Promise((resolve) => server.once("listening", resolve));
  try {
    const base = `http://127.0.0.1:${server.address().port}`;
    const text = await (await fetch(`${base}/?nonce=3f9a1c`)).text();
    assert.match(text, /"app":"seed-app"/);
    assert.match(text, /"nonce":"3f9a1c"/);
    assert.equal("nonce" in (await (await fetch(`${base}/`)).json()), false);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
