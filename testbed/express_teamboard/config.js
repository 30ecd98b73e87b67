// Command-line settings shared by every module: `node server.js --port 5080 [--hardened]`.
const args = process.argv.slice(2);

module.exports = {
  PORT: Number(args[args.indexOf('--port') + 1]) || 5080,
  HARDENED: args.includes('--hardened'),
};
