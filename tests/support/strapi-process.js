/**
 * Runs the playground Strapi app as its own process, for tests that need several Strapi processes on
 * one database or a real server for a browser (SERVE_ADMIN_PANEL=true serves the admin panel that
 * `strapi build` made). Configured through the environment; prints "ready" once listening.
 */
const path = require('path');
const { createStrapi } = require('@strapi/strapi');

// A JavaScript app: it runs from its own folder, nothing to compile.
const appDir = path.resolve(__dirname, '..', '..', 'playground');

(async () => {
  const app = createStrapi({ appDir, distDir: appDir, autoReload: false, serveAdminPanel: process.env.SERVE_ADMIN_PANEL === 'true' });
  await app.start();
  process.stdout.write('ready\n');
  const stop = () => app.destroy().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
