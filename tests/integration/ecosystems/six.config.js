// Six apps of four kinds, one file: what `pmctl start six.config.js` must bring up.
const path = require('path');
const app = (file) => path.join(__dirname, '..', 'apps', file);

module.exports = {
  apps: [
    { name: 'eco-web-1', script: app('server.js'), args: ['--port', '0'], namespace: 'eco-web' },
    { name: 'eco-web-2', script: app('server.js'), args: '--port 0', namespace: 'eco-web' },
    { name: 'eco-py', script: app('printer.py') },
    { name: 'eco-env', script: app('env_dump.sh'), args: ['/tmp/eco-env.env'],
      env: { GREETING: 'hello' } },
    { name: 'eco-sleep', script: 'sleep 1000' },
    { name: 'eco-node-args', script: app('server.js'), node_args: '--max-old-space-size=64',
      args: ['--port', '0'], max_restarts: 0 },
  ],
};
