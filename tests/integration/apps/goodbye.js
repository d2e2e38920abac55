// Prints a line on start and one more when asked to stop (SIGINT), then exits 0.
console.log('goodbye: started');
console.error('goodbye: started on stderr');
process.on('SIGINT', () => {
  console.log('goodbye: last words');
  process.exit(0);
});
setInterval(() => {}, 1000);
