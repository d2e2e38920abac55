// Says process.send('ready') after argv[2] ms (PM2's wait_ready), or never with "never".
const delay = process.argv[2] || '800';
if (delay !== 'never') setTimeout(() => process.send('ready'), Number(delay));
setInterval(() => {}, 1 << 30);
