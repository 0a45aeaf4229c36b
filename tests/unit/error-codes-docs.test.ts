/**
 * The error codes the server answers with (server/src/errors.ts, plus the body-size limit's), the tables
 * that document them, and the example client's next step for each, all agree.
 */
import fs from 'node:fs';
import path from 'node:path';

import { NEXT_STEPS } from '../../examples/node-client/tiktok-login';
import { CONNECT_ERRORS } from '../../server/src/errors';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** Every code an app can receive in `details.code`, with its HTTP status. */
const SERVER_CODES: Record<string, number> = { ...CONNECT_ERRORS, payload_too_large: 413 };

/** The cells of each table row whose first cell (or, with `column`, another one) is a code in backticks. */
const rowsByCode = (markdown: string, column = 0) => {
  const rows = new Map<string, string[]>();
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
    const code = /^`([a-z_]+)`$/.exec(cells[column] ?? '')?.[1];
    if (code) rows.set(code, cells);
  }
  return rows;
};

describe('the error code guide (docs/guides/errors.md)', () => {
  const rows = rowsByCode(read('docs/guides/errors.md'));

  it('has one row for every code the server answers with, and no other', () => {
    expect([...rows.keys()].sort()).toEqual(Object.keys(SERVER_CODES).sort());
  });

  it.each(Object.entries(SERVER_CODES))('%s: status %i', (code, status) => {
    expect(rows.get(code)?.[1]).toBe(String(status));
  });

  it.each(Object.entries(NEXT_STEPS))("%s: the example client's next step, %s", (code, step) => {
    expect(rows.get(code)?.[2]).toBe(step.replace('_', ' '));
  });
});

describe('the example client (examples/node-client)', () => {
  it('knows every code the server answers with, and no other', () => {
    expect(Object.keys(NEXT_STEPS).sort()).toEqual(Object.keys(SERVER_CODES).sort());
  });
});

describe('the error table of docs/endpoint.md', () => {
  const rows = rowsByCode(read('docs/endpoint.md'), 2);

  it.each(Object.entries(SERVER_CODES))('%s: status %i', (code, status) => {
    expect(rows.get(code)?.[0]).toBe(String(status));
  });
});
