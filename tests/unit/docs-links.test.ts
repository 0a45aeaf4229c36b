/**
 * Every relative link in the repository's Markdown files leads somewhere: the file or folder exists,
 * and an anchor (`#…`) names a heading of the Markdown file it points into, slugged as GitHub does.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
// Installed, built or generated folders: their Markdown is not the project's.
const SKIPPED_DIRS = new Set(['.git', 'node_modules', 'dist', 'build', '.tmp', '.strapi', '.cache', 'artifacts', 'coverage']);

const markdownFiles = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : markdownFiles(full);
    return entry.isFile() && entry.name.endsWith('.md') ? [full] : [];
  });

/** The lines outside fenced code blocks, with their line numbers. */
const proseLines = (text: string) => {
  const lines: Array<{ line: string; number: number }> = [];
  let fence: string | null = null;
  text.split('\n').forEach((line, index) => {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === null || marker.startsWith(fence))) {
      fence = fence === null ? marker : null;
      return;
    }
    if (fence === null) lines.push({ line, number: index + 1 });
  });
  return lines;
};

/** A heading's text as GitHub renders it: code spans, links and emphasis markers reduced to their text. */
const headingText = (raw: string) =>
  raw
    .replace(/\s+#+\s*$/, '')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|\*)(.+?)\1/g, '$2')
    .trim();

/** GitHub's anchor for a heading (github-slugger): lower case, only letters, marks, numbers, `_`, `-` and spaces, spaces as `-`. */
const githubSlug = (text: string) =>
  headingText(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');

/** Every anchor a Markdown file has, repeated headings numbered `-1`, `-2`… as GitHub does. */
const anchorsOf = (text: string) => {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { line } of proseLines(text)) {
    const heading = /^\s{0,3}#{1,6}\s+(.*)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = githubSlug(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count ? `${slug}-${count}` : slug);
  }
  return anchors;
};

/** Inline links and images `[text](target)`, outside code spans. */
const linksOf = (text: string) =>
  proseLines(text).flatMap(({ line, number }) =>
    [...line.replace(/`[^`]*`/g, '').matchAll(/!?\[(?:[^\]]|\][^(])*?\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => ({
      target: match[1],
      line: number,
    }))
  );

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target);

const anchorCache = new Map<string, Set<string>>();
const anchorsIn = (file: string) => {
  if (!anchorCache.has(file)) anchorCache.set(file, anchorsOf(fs.readFileSync(file, 'utf8')));
  return anchorCache.get(file) as Set<string>;
};

/** What is wrong with each relative link of one Markdown file. */
const brokenLinks = (file: string) => {
  const problems: string[] = [];
  for (const { target, line } of linksOf(fs.readFileSync(file, 'utf8'))) {
    if (isExternal(target)) continue;
    const [rawPath, anchor] = target.split('#', 2) as [string, string | undefined];
    const where = `${path.relative(ROOT, file)}:${line} → ${target}`;
    const resolved = rawPath ? path.resolve(path.dirname(file), decodeURIComponent(rawPath)) : file;
    if (!resolved.startsWith(ROOT)) {
      problems.push(`${where}: leaves the repository`);
      continue;
    }
    if (!fs.existsSync(resolved)) {
      problems.push(`${where}: no such file`);
      continue;
    }
    if (anchor !== undefined && resolved.endsWith('.md') && !anchorsIn(resolved).has(decodeURIComponent(anchor))) {
      problems.push(`${where}: no heading with that anchor`);
    }
  }
  return problems;
};

describe('GitHub heading anchors', () => {
  it.each([
    ['Browser login (Expo, web)', 'browser-login-expo-web'],
    ["TikTok's deauthorization webhook", 'tiktoks-deauthorization-webhook'],
    ['Saved settings replace `config/plugins`', 'saved-settings-replace-configplugins'],
    ['Example: a route that reads the user’s stats', 'example-a-route-that-reads-the-users-stats'],
    ['clients[].redirect_uri and **more**', 'clientsredirect_uri-and-more'],
  ])('%s → #%s', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });

  it('numbers repeated headings and ignores headings in code blocks', () => {
    const text = ['# Errors', '## Errors', '```sh', '# not a heading', '```', '### Errors ##'].join('\n');
    expect([...anchorsOf(text)]).toEqual(['errors', 'errors-1', 'errors-2']);
  });

  it('finds links in prose and tables, not in code', () => {
    const text = ['See [a](docs/a.md#x) and ![b](b.png).', '| [c](#c) |', '`[d](#d)`', '```', '[e](#e)', '```'].join('\n');
    expect(linksOf(text).map(({ target }) => target)).toEqual(['docs/a.md#x', 'b.png', '#c']);
  });
});

describe('the Markdown files of the repository', () => {
  const files = markdownFiles(ROOT);

  it('include the README and the docs pages', () => {
    const names = files.map((file) => path.relative(ROOT, file));
    expect(names).toEqual(expect.arrayContaining(['README.md', 'CHANGELOG.md', path.join('docs', 'endpoint.md')]));
  });

  it.each(files.map((file) => [path.relative(ROOT, file), file]))('%s has no broken relative link', (_name, file) => {
    expect(brokenLinks(file)).toEqual([]);
  });
});
