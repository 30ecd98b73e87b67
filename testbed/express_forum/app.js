// A small community forum, written the way assistants write server-rendered Express apps: EJS
// views, HTML forms posted url-encoded, express-session keeping the user id in a server-side
// session behind the `connect.sid` cookie, a hand-rolled CSRF token in the forms, a posts router
// in its own file, and two JSON endpoints for the front page's script. No API description. Its
// flaws are listed in ../README.md; `--hardened` runs its twin, with every flaw fixed. A
// vibeguard testbed: written for it, never deployed.
//
//     node app.js --port 5100 [--hardened] [--db PATH]

const crypto = require('crypto');
const os = require('os');
const path = require('path');
const express = require('express');
const session = require('express-session');
const { Store, checkPassword, hashPassword } = require('./lib/db');
const { requireLogin, verifyCsrf, tooManyAttempts, recordFailure } = require('./lib/guards');
const postsRouter = require('./routes/posts');
const accountRouter = require('./routes/account');

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}
const PORT = Number(option('port', 5100));
const HARDENED = process.argv.includes('--hardened');
const DB_FILE = option('db', path.join(os.tmpdir(), `forum-${PORT}${HARDENED ? '-hardened' : ''}.json`));

const STAND_IN_HASH = hashPassword(crypto.randomBytes(16).toString('hex'));
const db = new Store(DB_FILE);
db.seed();

const app = express();
app.locals.db = db;
app.locals.hardened = HARDENED;
app.set('view engine', 'ejs');
app.set('views', path.join(__dirname, 'views'));

if (HARDENED) {
  app.disable('x-powered-by');
  // The twin stands for the app behind its TLS proxy, which says so in X-Forwarded-Proto:
  // express-session sets a `secure` cookie only on a request it knows came over HTTPS.
  app.set('trust proxy', 1);
  app.use((req, res, next) => {
    req.headers['x-forwarded-proto'] = 'https';
    res.set({
      'Content-Security-Policy': "default-src 'self'",
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'same-origin',
    });
    next();
  });
  // Reads per path: 20 every 2 seconds.
  const reads = new Map();
  app.use((req, res, next) => {
    if (req.method !== 'GET') return next();
    const now = Date.now();
    const times = (reads.get(req.path) || []).filter((t) => now - t < 2000);
    if (times.length >= 20) return res.set('Retry-After', '2').status(429).send('Too many requests');
    times.push(now);
    reads.set(req.path, times);
    next();
  });
}

app.use(express.urlencoded({ extended: false, limit: '64kb' }));
app.use(
  session({
    // "Change this in production."
    secret: HARDENED ? crypto.randomBytes(32).toString('hex') : 'keyboard cat',
    resave: false,
    saveUninitialized: true,
    cookie: HARDENED ? { httpOnly: true, sameSite: 'lax', secure: true } : {},
  }),
);

// Every page knows who is logged in and carries the session's CSRF token.
app.use((req, res, next) => {
  if (!req.session.csrfToken) req.session.csrfToken = crypto.randomBytes(24).toString('hex');
  res.locals.csrfToken = req.session.csrfToken;
  res.locals.user = req.session.userId ? db.findUser(req.session.userId) : null;
  res.locals.flash = req.session.flash;
  delete req.session.flash;
  next();
});
// The twin checks the token on every form; the app only on the login form.
if (HARDENED) app.use(verifyCsrf);

app.get('/', (req, res) => {
  const posts = db.posts
    .slice(-50)
    .reverse()
    .map((p) => ({ ...p, author: db.findUser(p.authorId) }));
  res.render('home', { posts });
});

function safeReturn(target) {
  if (!target) return '/';
  if (HARDENED && (!target.startsWith('/') || target.startsWith('//') || target.includes('\\'))) return '/';
  return target;
}

app.get('/login', (req, res) => {
  res.render('login', { error: null, returnTo: req.query.returnTo || '' });
});

app.post('/login', verifyCsrf, (req, res, next) => {
  const { username, password } = req.body;
  const returnTo = String(req.query.returnTo || req.body.returnTo || '');
  if (tooManyAttempts(req, username)) {
    return res.status(429).render('login', { error: 'Too many attempts, wait a minute.', returnTo });
  }
  const user = db.findUserByName(username || '');
  // The twin hashes the password against a stand-in when the name is unknown, so that an
  // unknown name takes as long as a wrong password; the app answers at once.
  if (!user && HARDENED) checkPassword(password || '', STAND_IN_HASH);
  if (!user || !checkPassword(password || '', user.passwordHash)) {
    recordFailure(req, username);
    return res.render('login', { error: 'Wrong username or password.', returnTo });
  }
  const logIn = () => {
    req.session.userId = user.id;
    req.session.csrfToken = crypto.randomBytes(24).toString('hex');
    res.redirect(safeReturn(returnTo));
  };
  // The twin starts a new session at login; the app keeps the one the login page started.
  if (!HARDENED) return logIn();
  req.session.regenerate((err) => (err ? next(err) : logIn()));
});

app.get('/logout', (req, res) => {
  if (HARDENED) {
    return req.session.destroy(() => {
      res.clearCookie('connect.sid');
      res.redirect('/');
    });
  }
  // "Log out": forget the cookie in the browser. The session stays valid on the server.
  res.clearCookie('connect.sid');
  res.redirect('/');
});

app.get('/signup', (req, res) => res.render('signup', { error: null }));

app.post('/signup', (req, res) => {
  const { username, email, password, confirmPassword } = req.body;
  if (tooManyAttempts(req)) return res.status(429).render('signup', { error: 'Too many sign-ups, wait a minute.' });
  let error = null;
  if (!username || !email || !password) error = 'Every field is required.';
  else if (!/^[A-Za-z0-9_.-]{2,30}$/.test(username)) error = 'Usernames are letters, digits, dots and dashes.';
  else if (!email.includes('@')) error = 'Give a valid e-mail.';
  else if (password !== confirmPassword) error = 'The passwords do not match.';
  else if (HARDENED && password.length < 10) error = 'Use at least 10 characters.';
  else if (db.findUserByName(username)) error = 'That username is taken.';
  if (error) return res.status(400).render('signup', { error });
  const user = db.addUser({ username, email, password });
  const logIn = () => {
    req.session.userId = user.id;
    res.redirect('/');
  };
  if (!HARDENED) return logIn();
  req.session.regenerate(logIn);
});

app.get('/search', (req, res) => {
  const q = String(req.query.q || '');
  const results = db.posts.filter((p) => p.title.toLowerCase().includes(q.toLowerCase())).slice(0, 50);
  res.render('search', { q, results });
});

app.use('/posts', postsRouter);
app.use('/account', requireLogin, accountRouter);

// The front page's script reads these.
app.get('/api/posts', (req, res) => {
  const posts = db.posts.slice(-50).map((p) => {
    const author = db.findUser(p.authorId);
    // "Send the author along so the page can show their name."
    const shown = HARDENED ? { id: author.id, username: author.username } : author;
    return { id: p.id, title: p.title, createdAt: p.createdAt, author: shown };
  });
  res.json(posts);
});

app.get('/api/me', requireLogin, (req, res) => {
  const user = db.findUser(req.session.userId);
  res.json({ id: user.id, username: user.username, email: user.email });
});

app.use((req, res) => res.status(404).render('error', { message: 'Page not found.' }));
// eslint-disable-next-line no-unused-vars
app.use((err, req, res, next) => {
  res.status(err.status || 500).render('error', { message: err.expose ? err.message : 'Something went wrong.' });
});

app.listen(PORT, '127.0.0.1', () => console.log(`forum on http://127.0.0.1:${PORT}`));
