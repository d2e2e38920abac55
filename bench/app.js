// The app both managers start in bench/run.sh: stays up, listens on nothing, prints nothing, so
// 50 copies cost neither ports nor log traffic and the figures measure the manager alone.
setInterval(() => {}, 1 << 30);
process.on('SIGINT', () => process.exit(0));
