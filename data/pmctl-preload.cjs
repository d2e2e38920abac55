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

// Cluster mode: an app written for PM2 may call listen(3000) with its public port hard-coded.
// Under PM2 the cluster module shares that port; under pmctl the public port belongs to a
// systemd socket, and each instance has a private endpoint in $PORT (a loopback port or a unix
// socket path). A listen() on the public port ($PMCTL_PUBLIC_PORT) is turned into a listen() on
// that endpoint, or, in shared mode ($PMCTL_LISTEN_FD), on the socket systemd passed. Any other
// listen() is left alone.
const publicPort = process.env.PMCTL_PUBLIC_PORT;
if (publicPort) {
  const net = require('net');
  const listenFd = process.env.PMCTL_LISTEN_FD;
  const privateEndpoint = process.env.PORT;
  const isPublic = (port) => port !== undefined && port !== null && String(port) === publicPort;
  const replacement = () => {
    if (listenFd) return { fd: Number(listenFd) };
    if (/^\d+$/.test(privateEndpoint || '')) return { port: Number(privateEndpoint), host: '127.0.0.1' };
    return { path: privateEndpoint };
  };
  const originalListen = net.Server.prototype.listen;
  net.Server.prototype.listen = function listen(...args) {
    const first = args[0];
    const callback = args.find((arg) => typeof arg === 'function');
    let options = null;
    if (typeof first === 'object' && first !== null && !Array.isArray(first) && isPublic(first.port)) {
      const { port, host, ...rest } = first;
      options = { ...rest, ...replacement() };
    } else if ((typeof first === 'number' || typeof first === 'string') && isPublic(first)) {
      options = replacement();
    }
    if (options === null) return originalListen.apply(this, args);
    return callback ? originalListen.call(this, options, callback) : originalListen.call(this, options);
  };
}

// Shared mode: the instances own their kept-alive connections (there is no balancer to move
// them). Node's server.close() closes every idle kept-alive connection at once (node >= 19), and
// a client may be sending its next request on one at that very moment: a failed request. So in
// shared mode a closing server ends kept-alive connections at a request boundary instead: the
// next answer on each carries `Connection: close`, and a connection still idle a second later is
// closed then. Only the instance that is stopping does this; nothing changes before close().
if (publicPort && process.env.PMCTL_LISTEN_FD) {
  const closing = Symbol('pmctl closing');
  const gracefulCloseMs = 1000;
  for (const mod of [require('http'), require('https')]) {
    const proto = mod.Server.prototype;
    const closeIdle = proto.closeIdleConnections;
    const close = proto.close;
    if (typeof closeIdle !== 'function' || proto.close[closing]) continue;
    proto.close = function pmctlClose(...args) {
      if (!this[closing]) {
        this[closing] = true;
        this.prependListener('request', (req, res) => { res.shouldKeepAlive = false; });
        setTimeout(() => closeIdle.call(this), gracefulCloseMs).unref();
      }
      return close.apply(this, args);
    };
    proto.close[closing] = true;
    proto.closeIdleConnections = function pmctlCloseIdleConnections() {
      if (!this[closing]) return closeIdle.call(this);
    };
  }
}
