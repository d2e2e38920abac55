// Stays up, prints its environment bits on start and one line per 200 ms on stdout and stderr.
console.log(`server: started pm_id=${process.env.pm_id} name=${process.env.name} ` +
            `namespace=${process.env.namespace} instance=${process.env.NODE_APP_INSTANCE} ` +
            `NODE_ENV=${process.env.NODE_ENV}`);
let n = 0;
setInterval(() => {
  n += 1;
  console.log(`server: out ${n}`);
  console.error(`server: err ${n}`);
}, 200);
process.on('SIGINT', () => process.exit(0));
