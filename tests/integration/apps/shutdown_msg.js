// PM2's shutdown_with_message: on the 'shutdown' message, writes "graceful" to argv[2] and exits.
const fs = require('fs');
process.on('message', (message) => {
  if (message !== 'shutdown') return;
  fs.writeFileSync(process.argv[2], 'graceful');
  process.exit(0);
});
console.log('waiting for shutdown');
setInterval(() => {}, 1 << 30);
