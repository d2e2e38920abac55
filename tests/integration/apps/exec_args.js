// Prints node's own arguments and the script's, so a test sees what a restart gave it.
const line = () =>
  console.log(`execArgv=[${process.execArgv.join(" ")}] argv=[${process.argv.slice(2).join(" ")}]`);
line();
setInterval(line, 300);
