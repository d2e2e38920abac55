// Logs every signal it gets. A child shell logs the SIGUSR2 it gets too (it should get none:
// sendSignal signals the main process only). SIGUSR1 makes it exit 3 (a crash to restart);
// SIGINT ends it.
const { spawn } = require('child_process');
const child = spawn('/bin/sh', ['-c',
  'trap "echo signal_log: child got SIGUSR2" USR2; while :; do sleep 0.1; done'],
  { stdio: ['ignore', 'inherit', 'inherit'] });
for (const sig of ['SIGUSR2', 'SIGHUP', 'SIGTERM', 'SIGWINCH', 'SIGRTMIN']) {
  try {
    process.on(sig, () => console.log(`signal_log: ${process.pid} got ${sig}`));
  } catch (e) {
    // a signal this node cannot listen for
  }
}
process.on('SIGUSR1', () => {
  console.log(`signal_log: ${process.pid} got SIGUSR1, exiting 3`);
  child.kill('SIGKILL');
  process.exit(3);
});
process.on('SIGINT', () => {
  child.kill('SIGKILL');
  process.exit(0);
});
console.log(`signal_log: ready ${process.pid}`);
setInterval(() => {}, 1000);
