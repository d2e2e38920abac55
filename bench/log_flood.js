// The app of bench/logs.sh: writes BENCH_LINES lines of 100 bytes (99 characters and a newline)
// to stdout, one write each as console.log would, then "bench: done"; records how long the
// writes took (ms) in BENCH_RESULT and stays up, so neither manager starts it again. Writes to a
// pipe, a socket or a file are synchronous in node on Linux: the time is the time the output
// path let the app spend writing.
const fs = require('fs');
const lines = Number(process.env.BENCH_LINES || 1000000);
const line = 'x'.repeat(90) + '\n';
const start = process.hrtime.bigint();
for (let i = 0; i < lines; i++) process.stdout.write(String(i).padStart(9, '0') + line);
process.stdout.write('bench: done\n');
const ms = Number(process.hrtime.bigint() - start) / 1e6;
fs.writeFileSync(process.env.BENCH_RESULT, ms.toFixed(1) + '\n');
setInterval(() => {}, 1 << 30);
process.on('SIGINT', () => process.exit(0));
