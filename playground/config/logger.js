const { winston, formats } = require('@strapi/logger');

module.exports = ({ env }) => ({
  level: env('LOG_LEVEL', 'http'),
  format: formats.prettyPrint(),
  // The tests capture logs themselves and keep the console quiet.
  transports: [new winston.transports.Console({ silent: env.bool('LOG_SILENT', false) })],
});
