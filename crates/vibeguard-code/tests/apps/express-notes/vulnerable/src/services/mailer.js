// Outgoing mail.
const nodemailer = require('nodemailer');

const config = require('../config');

const transport = nodemailer.createTransport({ host: config.mail.host, port: 25 });

async function send(to, subject, text) {
  await transport.sendMail({ from: config.mail.from, to, subject, text });
}

module.exports = { send };
