// Answers SIGINT with the exit code given as first argument (1 or 130 are common).
const code = Number(process.argv[2] || 1);
process.on('SIGINT', () => process.exit(code));
console.log(`exit_on_sigint: started, will exit ${code}`);
setInterval(() => {}, 1000);
