// Exits at once with the code given as first argument (default 1).
console.log(`crash: start ${Date.now()}`);
process.exit(Number(process.argv[2] || 1));
