"use strict";

const { createApp } = require("./app");

const port = Number(process.env.PORT || 3000);
const server = createApp().listen(port, () => {
  console.log(`stagelab-node-app listening on port ${port}`);
});

// In a container this process is PID 1, and the kernel gives PID 1 no default
// action for SIGTERM: without a handler, `docker stop` waits 10 s and then kills.
function shutDown(signal) {
  console.log(`${signal} received, closing the server`);
  server.close(() => process.exit(0));
  // Keep-alive connections could hold close() open; do not outlive the grace period.
  setTimeout(() => process.exit(0), 3000).unref();
}

process.on("SIGTERM", shutDown);
process.on("SIGINT", shutDown);
