require('dotenv').config();
const express = require('express');
const cors = require('cors');
const helmet = require('helmet');

const authRoutes = require('./routes/auth');
const userRoutes = require('./routes/users');
const taskRoutes = require('./routes/tasks');

const app = express();

// Security headers (CSP, HSTS, X-Frame-Options, nosniff) on every answer.
app.use(helmet());
// Only the web app's own origin may call the API with credentials.
app.use(cors({ origin: ['https://taskboard.example'], credentials: true }));
app.use(express.json({ limit: '100kb' }));

app.use('/api', authRoutes);
app.use('/api/users', userRoutes);
app.use('/api/tasks', taskRoutes);

// Details go to the log, never to the client.
app.use((err, req, res, next) => {
  console.error(err);
  res.status(500).json({ error: 'Internal server error' });
});

const PORT = process.env.PORT || 3000;
app.listen(PORT, () => {
  console.log(`Taskboard API running on port ${PORT}`);
});

module.exports = app;
