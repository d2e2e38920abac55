// Ignores SIGINT: only SIGKILL after the kill timeout ends it.
process.on('SIGINT', () => console.log('ignore_sigint: got SIGINT, ignoring'));
console.log('ignore_sigint: started');
setInterval(() => {}, 1000);
