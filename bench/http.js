// The cluster benchmark's app (bench/cluster.sh): Node's hello world. It listens on $PORT (pmctl
// gives each instance its own), says which instance answered, and on SIGINT closes its server and
// exits once the open requests are done, as a PM2 app written for graceful reloads does.
const http = require('http');
const instance = process.env.NODE_APP_INSTANCE || '0';
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end(`hello from ${instance}\n`);
});
server.listen(Number(process.env.PORT) || process.env.PORT, () => {
  if (process.send) process.send('ready');
});
process.on('SIGINT', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections?.();
  setTimeout(() => process.exit(0), 3000).unref();
});
