// Middleware shared by the forum's routers: the login check, the CSRF token check, and the
// twin's limits on failed logins and sign-ups.

const crypto = require('crypto');

function requireLogin(req, res, next) {
  if (!req.session.userId || !req.app.locals.db.findUser(req.session.userId)) {
    return res.redirect(`/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
  }
  next();
}

// The token every form carries in `_csrf`, compared with the session's.
function verifyCsrf(req, res, next) {
  if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return next();
  const sent = String((req.body && req.body._csrf) || req.get('x-csrf-token') || '');
  const expected = req.session.csrfToken || '';
  const same =
    sent.length === expected.length &&
    expected.length > 0 &&
    crypto.timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
  if (!same) return res.status(403).render('error', { message: 'The form expired, go back and try again.' });
  next();
}

// The twin allows 5 failed logins per account a minute, and 10 sign-ups per client.
const attempts = new Map();
function tooManyAttempts(req, account) {
  if (!req.app.locals.hardened) return false;
  const key = `${req.path}:${account ? String(account).toLowerCase() : req.ip}`;
  const now = Date.now();
  const recent = (attempts.get(key) || []).filter((t) => now - t < 60000);
  if (!account) {
    recent.push(now);
  }
  attempts.set(key, recent);
  return account ? recent.length >= 5 : recent.length > 10;
}
function recordFailure(req, account) {
  if (!req.app.locals.hardened) return;
  const key = `${req.path}:${String(account || '').toLowerCase()}`;
  attempts.set(key, [...(attempts.get(key) || []), Date.now()]);
}

module.exports = { requireLogin, verifyCsrf, tooManyAttempts, recordFailure };
