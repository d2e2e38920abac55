// A PM2 cluster app that ignores $PORT and listens on the public port it was given (argv[2]),
// as apps written for PM2's cluster module do. Under pmctl its instances must not collide: the
// preload turns listen(<public port>) into a listen() on the instance's own endpoint.
const http = require('http');
const port = Number(process.argv[2]);
const instance = process.env.NODE_APP_INSTANCE;
const server = http.createServer((req, res) => {
  res.setHeader('Connection', 'close');
  res.end(`instance=${instance} pid=${process.pid}\n`);
});
server.listen(port, '0.0.0.0', () => console.log(`listening as ${instance}: ${JSON.stringify(server.address())}`));
process.on('SIGINT', () => server.close(() => process.exit(0)));
