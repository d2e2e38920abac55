// Holds $HOG_MB megabytes (every page written, so resident) $HOG_AFTER_MS after it starts, and
// says so; with $HOG_ONCE (a file), only the first run holds. Says SIGINT when it gets one, then
// exits.
const fs = require('fs');
const mb = Number(process.env.HOG_MB || 100);
const once = process.env.HOG_ONCE;
const hold = !once || !fs.existsSync(once);
if (once && hold) fs.writeFileSync(once, `${process.pid}\n`);
setTimeout(() => {
  if (hold) globalThis.held = Buffer.alloc(mb * 1024 * 1024, 1);
  console.log(`hog: ${hold ? 'holding' : 'not holding'} ${mb} MB pid=${process.pid}`);
}, Number(process.env.HOG_AFTER_MS || 0));
process.on('SIGINT', () => {
  console.log(`hog: SIGINT pid=${process.pid}`);
  process.exit(0);
});
setInterval(() => {}, 1000);
