// A cluster instance as a PM2 app written for graceful reloads is (bench/http.js too): on SIGINT
// it closes its server and exits once the open requests are done. It does nothing special about
// kept-alive connections (no `Connection: close` of its own): node closes the idle ones.
const http = require('http');
const instance = process.env.NODE_APP_INSTANCE;
const server = http.createServer((req, res) => {
  res.end(`instance=${instance} pid=${process.pid}\n`);
});
server.listen(Number(process.env.PORT) || process.env.PORT, () => console.log(`listening as ${instance}`));
process.on('SIGINT', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections?.();
  setTimeout(() => process.exit(0), 3000).unref();
});
