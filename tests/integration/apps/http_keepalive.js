// A cluster-mode instance that keeps connections alive and shuts down gracefully on SIGINT, as
// an app that wants zero-downtime reloads does: it stops accepting, answers each request still
// to come on an open connection with `Connection: close`, and ends once they are gone.
const fs = require('fs');
const http = require('http');
// A test makes replacements that never get ready: while this file exists, no listen().
if (process.env.HANG_IF && fs.existsSync(process.env.HANG_IF)) {
  console.log('not listening: ' + process.env.HANG_IF + ' exists');
  setInterval(() => {}, 1 << 30);
  return;
}
const instance = process.env.NODE_APP_INSTANCE;
let closing = false;
const server = http.createServer((req, res) => {
  if (closing) res.setHeader('Connection', 'close');
  res.end(`instance=${instance} pid=${process.pid} port=${process.env.PORT}\n`);
});
server.keepAliveTimeout = 10000;
server.listen(process.env.PORT, () => console.log(`listening on ${process.env.PORT} as ${instance}`));
process.on('SIGINT', () => {
  closing = true;
  server.close(() => process.exit(0));  // node 19+ also closes the idle connections
});
