/** Debian's Chromium, driven through playwright-core, for the browser tests. */
import fs from 'node:fs';
import { chromium } from 'playwright-core';

import { progress } from './strapi-process';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless Chromium; playwright gives it a fresh, temporary user-data dir. */
export function launchChromium() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (.ci/run does).`);
  }
  progress('launching chromium…');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
