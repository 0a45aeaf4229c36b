/**
 * Runs the playground Strapi app as its own process (no admin panel), for tests that need several
 * Strapi processes on one database. Configured through the environment; prints "ready" once listening.
 */
const path = require('path');
const { compileStrapi, createStrapi } = require('@strapi/strapi');

const appDir = path.resolve(__dirname, '..', '..', 'playground');

(async () => {
  const app = createStrapi({ ...(await compileStrapi({ appDir })), autoReload: false, serveAdminPanel: false });
  await app.start();
  process.stdout.write('ready\n');
  const stop = () => app.destroy().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
