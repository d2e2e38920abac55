// A tiny HTTP app for the demo: answers on $PORT (default 3000) and logs a line every second.
const http = require('http');
const port = Number(process.env.PORT || 3000);
let ticks = 0;
http.createServer((req, res) => res.end(`hello from pm_id ${process.env.pm_id}\n`))
  .listen(port, '127.0.0.1', () => console.log(`hello: listening on 127.0.0.1:${port}`));
setInterval(() => {
  ticks += 1;
  console.log(`hello: tick ${ticks}`);
  if (ticks % 5 === 0) console.error(`hello: a line on stderr (tick ${ticks})`);
}, 1000);
process.on('SIGINT', () => { console.log('hello: SIGINT, closing'); process.exit(0); });
