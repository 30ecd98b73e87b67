// Random tokens for links and keys, from the operating system's CSPRNG.
const crypto = require('crypto');

function randomToken() {
  return crypto.randomBytes(32).toString('hex');
}

function apiKey() {
  const apiKey = 'nk_' + crypto.randomBytes(24).toString('base64url');
  return apiKey;
}

module.exports = { randomToken, apiKey };
