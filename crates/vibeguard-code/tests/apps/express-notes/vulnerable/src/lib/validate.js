// Small request validation helpers.
function requireFields(fields) {
  return (req, res, next) => {
    const missing = fields.filter((field) => req.body[field] === undefined || req.body[field] === '');
    if (missing.length > 0) {
      return res.status(400).json({ error: `Missing: ${missing.join(', ')}` });
    }
    next();
  };
}

function cleanTag(name) {
  return String(name).trim().toLowerCase().replace(/[^a-z0-9-]/g, '').slice(0, 32);
}

function pageOf(query) {
  const page = Math.max(1, parseInt(query.page, 10) || 1);
  const size = Math.min(100, Math.max(1, parseInt(query.size, 10) || 20));
  return { limit: size, offset: (page - 1) * size };
}

module.exports = { requireFields, cleanTag, pageOf };
