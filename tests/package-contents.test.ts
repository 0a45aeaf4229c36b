/**
 * The published package: what `npm pack` puts in the tarball (what a host app needs, nothing else), and
 * that every file package.json's exports name is in it. Runs on the built dist/ (npm test builds first).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

interface PackedFile {
  path: string;
}

const packed = () => {
  const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  const [{ files }] = JSON.parse(output) as Array<{ files: PackedFile[] }>;
  return files.map((file) => file.path);
};

const ALLOWED = [/^LICENSE$/, /^README\.md$/, /^CHANGELOG\.md$/, /^package\.json$/, /^strapi-server\.js$/, /^docs\/.+\.md$/, /^dist\/(server|admin)\/.+\.(js|mjs|d\.ts)$/];

let files: string[];

beforeAll(() => {
  files = packed();
});

it('holds only the built plugin, its docs and its license: no tests, playground, scripts, sources or artifacts', () => {
  expect(files.filter((file) => !ALLOWED.some((pattern) => pattern.test(file)))).toEqual([]);
  expect(files.filter((file) => /^(tests|playground|scripts|examples|artifacts|server|admin)\//.test(file))).toEqual([]);
});

it('holds every file package.json points to: both entries, as CommonJS, ESM and types', () => {
  const manifest = require(path.join(ROOT, 'package.json')) as { exports: Record<string, string | Record<string, string>> };
  const targets = Object.values(manifest.exports).flatMap((target) =>
    typeof target === 'string' ? [target] : Object.entries(target).filter(([condition]) => condition !== 'source').map(([, file]) => file)
  );
  expect(targets.length).toBeGreaterThan(8);
  for (const target of targets) expect(files).toContain(target.replace(/^\.\//, ''));
  expect(files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'strapi-server.js']));
});
