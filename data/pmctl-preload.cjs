// pmctl's preload for node apps (NODE_OPTIONS=--require), given only to apps that use PM2's
// IPC conventions (wait_ready, shutdown_with_message). Under PM2 the app talks to PM2's daemon
// through process.send; under pmctl there is no daemon, so:
//   process.send('ready')  -> READY=1 to systemd (the unit is Type=notify, NotifyAccess=all)
//   the stop signal        -> process.emit('message', 'shutdown'), with shutdown_with_message
'use strict';
const { spawnSync } = require('child_process');

if (typeof process.send !== 'function') {
  process.send = function send(message, ...rest) {
    if (message === 'ready') spawnSync('systemd-notify', ['--ready'], { stdio: 'ignore' });
    const callback = rest.find((arg) => typeof arg === 'function');
    if (callback) process.nextTick(callback, null);
    return true;
  };
}

if (process.env.PMCTL_SHUTDOWN_WITH_MESSAGE === '1') {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => process.emit('message', 'shutdown'));
  }
}
