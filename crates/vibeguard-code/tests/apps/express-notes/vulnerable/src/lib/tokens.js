// Random tokens for links and keys.
function randomToken() {
  return Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
}

function apiKey() {
  const apiKey = 'nk_' + Date.now().toString(36);
  return apiKey;
}

module.exports = { randomToken, apiKey };
