// A cluster-mode instance: listens on $PORT (a loopback port or a unix socket path) and answers
// every request with its instance number and pid, so a test can tell who answered.
const http = require('http');
const instance = process.env[process.env.PMCTL_TEST_INSTANCE_VAR || 'NODE_APP_INSTANCE'];
const server = http.createServer((req, res) => {
  res.setHeader('Connection', 'close');
  res.end(`instance=${instance} pid=${process.pid} port=${process.env.PORT} ` +
          `worker=${process.env.WORKER_ID || ''}\n`);
});
server.listen(process.env.PORT, () => console.log(`listening on ${process.env.PORT} as ${instance}`));
process.on('SIGINT', () => server.close(() => process.exit(0)));
