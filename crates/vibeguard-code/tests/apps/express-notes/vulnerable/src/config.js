// Configuration, read from the environment with defaults for local development.
module.exports = {
  port: Number(process.env.PORT) || 4000,
  version: '1.4.2',
  jwtSecret: process.env.JWT_SECRET || 'notes-dev-secret-2024',
  uploadDir: process.env.UPLOAD_DIR || 'uploads',
  publicUrl: process.env.PUBLIC_URL || 'http://localhost:4000',
  mail: {
    from: 'no-reply@notes.example',
    host: process.env.SMTP_HOST || 'localhost',
  },
};
