// Configuration, read from the environment; secrets have no defaults.
function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
}

module.exports = {
  port: Number(process.env.PORT) || 4000,
  version: '1.4.2',
  jwtSecret: required('JWT_SECRET'),
  uploadDir: process.env.UPLOAD_DIR || 'uploads',
  publicUrl: process.env.PUBLIC_URL || 'http://localhost:4000',
  allowedOrigins: (process.env.ALLOWED_ORIGINS || 'http://localhost:5173').split(','),
  mail: {
    from: 'no-reply@notes.example',
    host: process.env.SMTP_HOST || 'localhost',
  },
};
