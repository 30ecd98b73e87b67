// An expenses API, written the way assistants write Express apps: one file, routers per
// resource, a document store (NeDB, MongoDB's query language in memory), `{ success, data }`
// envelopes, opaque tokens in an `X-Auth-Token` header, creates that answer without the new
// id, and a paginated list. Its flaws are listed in ../README.md; `--hardened` runs its twin,
// with every flaw fixed. A vibeguard testbed: written for it, never deployed.
//
//     node app.js --port 5070 [--hardened]

const crypto = require('crypto');
const express = require('express');
const cors = require('cors');
const Datastore = require('@seald-io/nedb');

const args = process.argv.slice(2);
const PORT = Number(args[args.indexOf('--port') + 1]) || 5070;
const HARDENED = args.includes('--hardened');

const users = new Datastore();
const expenses = new Datastore();
const tokens = new Map(); // token -> user id

function hashPassword(password, salt = crypto.randomBytes(8).toString('hex')) {
  if (!HARDENED) {
    // "sha256 is a secure hash"
    return crypto.createHash('sha256').update(password).digest('hex');
  }
  const digest = crypto.scryptSync(password, salt, 32).toString('hex');
  return `${salt}:${digest}`;
}

function checkPassword(password, stored) {
  if (!HARDENED) return hashPassword(password) === stored;
  const [salt, digest] = stored.split(':');
  const computed = crypto.scryptSync(password, salt, 32);
  return crypto.timingSafeEqual(computed, Buffer.from(digest, 'hex'));
}

async function seed() {
  const people = [
    { name: 'Alice Martin', email: 'alice@expenses.test', password: 'alice-pass-1', role: 'member' },
    { name: 'Bob Stone', email: 'bob@expenses.test', password: 'bob-pass-2', role: 'member' },
    { name: 'Carol Admin', email: 'carol@expenses.test', password: 'carol-pass-3', role: 'admin' },
  ];
  for (const person of people) {
    await users.insertAsync({
      name: person.name,
      email: person.email,
      passwordHash: hashPassword(person.password),
      role: person.role,
      createdAt: new Date().toISOString(),
    });
  }
}

const app = express();

if (HARDENED) {
  app.disable('x-powered-by');
  // Headers first, so that every answer has them (CORS preflights included).
  app.use((req, res, next) => {
    res.set({
      'Content-Security-Policy': "default-src 'none'",
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    next();
  });
  app.use(cors({ origin: ['https://expenses.example.com'] }));
  // What a script would hammer, sign-ups and every read: 15 per 2 seconds and path.
  const recent = new Map();
  app.use((req, res, next) => {
    const limited =
      (req.method === 'POST' && req.path === '/api/v1/auth/register') || req.method === 'GET';
    if (!limited) return next();
    const now = Date.now();
    const times = (recent.get(req.path) || []).filter((t) => now - t < 2000);
    if (times.length >= 15) {
      res.set('Retry-After', '2');
      return res.status(429).json({ success: false, message: 'Too many requests' });
    }
    times.push(now);
    recent.set(req.path, times);
    next();
  });
} else {
  // "Allow the frontend on any port during development"
  app.use(cors({ origin: true, credentials: true }));
}
// The twin refuses JSON nested deeper than any real payload (counted on the raw bytes, before
// parsing; brackets inside strings count too, which no real payload here has 32 of).
app.use(
  express.json({
    limit: '100kb',
    verify: HARDENED
      ? (req, res, buf) => {
          let level = 0;
          let deepest = 0;
          for (const byte of buf) {
            if (byte === 0x5b || byte === 0x7b) deepest = Math.max(deepest, ++level);
            else if (byte === 0x5d || byte === 0x7d) level--;
          }
          if (deepest > 32) {
            const error = new Error('JSON nested too deep');
            error.status = 400;
            throw error;
          }
        }
      : undefined,
  }),
);


function requireAuth(req, res, next) {
  const token = req.get('x-auth-token');
  const userId = token && tokens.get(token);
  if (!userId) {
    return res.status(401).json({ success: false, message: 'Not authenticated' });
  }
  users
    .findOneAsync({ _id: userId })
    .then((user) => {
      if (!user) return res.status(401).json({ success: false, message: 'Not authenticated' });
      req.user = user;
      next();
    })
    .catch(next);
}

function requireAdmin(req, res, next) {
  if (req.user.role !== 'admin') {
    return res.status(403).json({ success: false, message: 'Admins only' });
  }
  next();
}

function publicUser(user) {
  return { _id: user._id, name: user.name, email: user.email, role: user.role };
}

// --- auth --------------------------------------------------------------------------------

const auth = express.Router();
const DUMMY_HASH = hashPassword("not anyone's password");
const failedLogins = new Map();

auth.post('/register', async (req, res, next) => {
  try {
    const { name, email, password } = req.body;
    if (typeof email !== 'string' || typeof password !== 'string' || password.length < 8) {
      return res.status(400).json({ success: false, message: 'email and a password of 8+ characters are required' });
    }
    if (await users.findOneAsync({ email })) {
      return res.status(409).json({ success: false, message: 'Email already registered' });
    }
    const user = await users.insertAsync({
      name: String(name || ''),
      email,
      passwordHash: hashPassword(password),
      role: 'member',
      createdAt: new Date().toISOString(),
    });
    res.status(201).json({ success: true, data: publicUser(user) });
  } catch (err) {
    next(err);
  }
});

auth.post('/login', async (req, res, next) => {
  try {
    const { email, password } = req.body;
    if (HARDENED) {
      const key = String(email);
      const recent = (failedLogins.get(key) || []).filter((t) => Date.now() - t < 60_000);
      failedLogins.set(key, recent);
      if (recent.length >= 5) {
        res.set('Retry-After', '60');
        return res.status(429).json({ success: false, message: 'Too many attempts' });
      }
    }
    const user = typeof email === 'string' ? await users.findOneAsync({ email }) : null;
    if (!user) {
      if (HARDENED) {
        // The same work as for a wrong password: the answer time tells nothing.
        checkPassword(String(password), DUMMY_HASH);
        failedLogins.get(String(email)).push(Date.now());
        return res.status(401).json({ success: false, message: 'Invalid email or password' });
      }
      return res.status(401).json({ success: false, message: 'No account with that email' });
    }
    if (!checkPassword(String(password), user.passwordHash)) {
      if (HARDENED) {
        failedLogins.get(String(email)).push(Date.now());
        return res.status(401).json({ success: false, message: 'Invalid email or password' });
      }
      return res.status(401).json({ success: false, message: 'Wrong password' });
    }
    const token = crypto.randomBytes(24).toString('hex');
    tokens.set(token, user._id);
    res.json({ success: true, data: { accessToken: token, user: publicUser(user) } });
  } catch (err) {
    next(err);
  }
});

// --- expenses ----------------------------------------------------------------------------

const CATEGORIES = ['food', 'travel', 'office', 'other'];
const router = express.Router();
router.use(requireAuth);

router.get('/', async (req, res, next) => {
  try {
    const page = Math.max(1, parseInt(req.query.page, 10) || 1);
    const limit = parseInt(req.query.limit, 10) || 20;
    if (HARDENED) {
      const whole = (v) => v === undefined || /^[0-9]{1,6}$/.test(String(v));
      if (!whole(req.query.page) || !whole(req.query.limit) || limit < 1 || limit > 100) {
        return res.status(400).json({ success: false, message: 'page and limit must be whole numbers, limit 1 to 100' });
      }
    }
    // "The dashboard shows the whole team's spending" — every member's expenses.
    const filter = HARDENED ? { ownerId: req.user._id } : {};
    const total = await expenses.countAsync(filter);
    const items = await expenses
      .findAsync(filter)
      .sort({ createdAt: -1, title: 1 })
      .skip((page - 1) * limit)
      .limit(limit);
    res.json({ success: true, data: items, page, limit, totalPages: Math.ceil(total / limit) });
  } catch (err) {
    next(err);
  }
});

router.post('/', async (req, res, next) => {
  try {
    const { title, amount, category, note } = req.body;
    if (typeof title !== 'string' || !title.trim() || title.length > 120) {
      return res.status(400).json({ success: false, message: 'title is required' });
    }
    const value = Number(amount);
    if (!Number.isFinite(value) || value <= 0) {
      return res.status(400).json({ success: false, message: 'amount must be a positive number' });
    }
    if (HARDENED && category !== undefined && !CATEGORIES.includes(category)) {
      return res.status(400).json({ success: false, message: `category must be one of ${CATEGORIES.join(', ')}` });
    }
    await expenses.insertAsync({
      title,
      amount: value,
      category: typeof category === 'string' ? category : 'other',
      note: typeof note === 'string' ? note.slice(0, 500) : '',
      ownerId: req.user._id,
      ownerName: req.user.name,
      createdAt: new Date().toISOString(),
    });
    // The front end reloads the list, so the id is not sent back.
    res.status(201).json({ success: true, message: 'Expense saved' });
  } catch (err) {
    next(err);
  }
});

router.get('/search', async (req, res, next) => {
  try {
    // `?category=food` — and, through Express's query parser, `?category[$ne]=x` too.
    const category = HARDENED ? String(req.query.category || '') : req.query.category;
    const items = await expenses.findAsync({ ownerId: req.user._id, category });
    res.json({ success: true, data: items });
  } catch (err) {
    next(err);
  }
});

async function ownExpense(req, res) {
  const expense = await expenses.findOneAsync({ _id: req.params.id });
  if (!expense || (expense.ownerId !== req.user._id && req.user.role !== 'admin')) {
    res.status(404).json({ success: false, message: 'Expense not found' });
    return null;
  }
  return expense;
}

router.get('/:id', async (req, res, next) => {
  try {
    if (HARDENED) {
      const expense = await ownExpense(req, res);
      if (expense) res.json({ success: true, data: expense });
      return;
    }
    // "Ids are random, nobody can guess them."
    const expense = await expenses.findOneAsync({ _id: req.params.id });
    if (!expense) return res.status(404).json({ success: false, message: 'Expense not found' });
    res.json({ success: true, data: expense });
  } catch (err) {
    next(err);
  }
});

router.patch('/:id', async (req, res, next) => {
  try {
    const expense = await ownExpense(req, res);
    if (!expense) return;
    const changes = {};
    if (typeof req.body.title === 'string' && req.body.title.trim()) changes.title = req.body.title.slice(0, 120);
    if (typeof req.body.note === 'string') changes.note = req.body.note.slice(0, 500);
    if (req.body.amount !== undefined) {
      const value = Number(req.body.amount);
      if (!Number.isFinite(value) || value <= 0) {
        return res.status(400).json({ success: false, message: 'amount must be a positive number' });
      }
      changes.amount = value;
    }
    await expenses.updateAsync({ _id: expense._id }, { $set: changes });
    res.json({ success: true, data: { ...expense, ...changes } });
  } catch (err) {
    next(err);
  }
});

router.delete('/:id', async (req, res, next) => {
  try {
    if (HARDENED) {
      const expense = await ownExpense(req, res);
      if (!expense) return;
    }
    const removed = await expenses.removeAsync({ _id: req.params.id }, {});
    if (!removed) return res.status(404).json({ success: false, message: 'Expense not found' });
    res.json({ success: true, message: 'Expense deleted' });
  } catch (err) {
    next(err);
  }
});

// --- users and the admin area ------------------------------------------------------------

const people = express.Router();
people.use(requireAuth);

people.get('/me', (req, res) => res.json({ success: true, data: publicUser(req.user) }));

people.get('/:id', async (req, res, next) => {
  try {
    const user = await users.findOneAsync({ _id: req.params.id });
    if (!user || (HARDENED && user._id !== req.user._id && req.user.role !== 'admin')) {
      return res.status(404).json({ success: false, message: 'User not found' });
    }
    // The original sends the whole record, password hash included.
    res.json({ success: true, data: HARDENED ? publicUser(user) : user });
  } catch (err) {
    next(err);
  }
});

const admin = express.Router();
admin.use(requireAuth);
if (HARDENED) admin.use(requireAdmin);

admin.get('/stats', async (req, res, next) => {
  try {
    const all = await expenses.findAsync({});
    const byUser = {};
    for (const expense of all) {
      byUser[expense.ownerName] = (byUser[expense.ownerName] || 0) + expense.amount;
    }
    res.json({ success: true, data: { users: await users.countAsync({}), expenses: all.length, byUser } });
  } catch (err) {
    next(err);
  }
});

app.use('/api/v1/auth', auth);
app.use('/api/v1/expenses', router);
app.use('/api/v1/users', people);
app.use('/api/v1/admin', admin);

// "Helpful errors while we build it."
// eslint-disable-next-line no-unused-vars
app.use((err, req, res, next) => {
  const status = err.status || err.statusCode || 500;
  if (HARDENED) {
    return res.status(status).json({ success: false, message: status < 500 ? 'Bad request' : 'Something went wrong' });
  }
  res.status(status).json({ success: false, message: err.message, stack: err.stack });
});

seed().then(() => {
  app.listen(PORT, '127.0.0.1');
});
