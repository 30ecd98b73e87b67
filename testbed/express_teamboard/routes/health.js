// Liveness, mounted at two paths for the load balancer and the API clients.
const express = require('express');

const router = express.Router();

router.get('/', (req, res) => res.json({ status: 'ok' }));

module.exports = router;
