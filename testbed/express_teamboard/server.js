// A team task board API, written the way assistants write Express apps that grew: routers in
// their own files mounted under prefixes, the session check imported from a middleware module,
// one admin route that checks the role and one that forgot to. Its flaws are listed in
// ../README.md; `--hardened` runs its twin, with every flaw fixed. A vibeguard testbed: written
// for it, never deployed.
//
//     node server.js --port 5080 [--hardened]

const path = require('path');
const express = require('express');
const { PORT, HARDENED } = require('./config');
const { requireUser } = require('./middleware/auth');
const authRoutes = require('./routes/auth');
const projectRoutes = require('./routes/projects');
const userRoutes = require('./routes/users');
const adminRoutes = require('./routes/admin');
const healthRoutes = require('./routes/health');

const app = express();

if (HARDENED) {
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    res.set({
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    next();
  });
}

// The twin refuses JSON nested deeper than 32 levels before parsing it, and answers at most 20
// reads of one path in 2 seconds (what a scraper or a script hammering the API would exceed).
function nestingOf(buffer) {
  let depth = 0;
  let deepest = 0;
  for (const byte of buffer) {
    if (byte === 0x5b || byte === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (byte === 0x5d || byte === 0x7d) depth -= 1;
  }
  return deepest;
}
const jsonOptions = { limit: '100kb' };
if (HARDENED) {
  jsonOptions.verify = (req, res, buffer) => {
    if (nestingOf(buffer) > 32) {
      const error = new Error('body nested too deeply');
      error.status = 400;
      throw error;
    }
  };
  const reads = new Map();
  app.use((req, res, next) => {
    if (req.method !== 'GET') return next();
    const now = Date.now();
    const times = (reads.get(req.path) || []).filter((t) => now - t < 2000);
    if (times.length >= 20) {
      res.set('Retry-After', '2');
      return res.status(429).json({ error: 'Too many requests' });
    }
    times.push(now);
    reads.set(req.path, times);
    next();
  });
}
app.use(express.json(jsonOptions));

// The front end's files. "Serve the folder the app is in, the build is next to it" — the whole
// project (source, package.json) goes out with it; the twin serves its public/ folder only.
app.use('/static', express.static(HARDENED ? path.join(__dirname, 'public') : __dirname));

app.use(['/health', '/api/health'], healthRoutes);
app.use('/api/auth', authRoutes);
app.use('/api/projects', requireUser, projectRoutes);
app.use('/api/users', requireUser, userRoutes);
app.use('/api/admin', requireUser, adminRoutes);

app.use((req, res) => res.status(404).json({ error: 'Not found' }));
// Malformed JSON and the like: a plain message, never the stack.
app.use((err, req, res, next) => {
  res.status(err.status || 500).json({ error: err.status ? 'Bad request' : 'Something went wrong' });
});

app.listen(PORT, '127.0.0.1', () => {
  console.log(`teamboard listening on http://127.0.0.1:${PORT}${HARDENED ? ' (hardened)' : ''}`);
});
