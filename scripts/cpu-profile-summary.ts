/**
 * Where a V8 CPU profile's time went, by component of a Strapi login: each sample goes to the innermost
 * frame on its stack that belongs to a known component (knex under the plugin's code is the database,
 * a socket write under axios is the TikTok call), the rest to "other". Idle time is left out.
 */
import type { Profiler, Runtime } from 'node:inspector';

export const COMPONENTS = [
  'Strapi routing and HTTP',
  'body parsing',
  'rate limit',
  'validation',
  'TikTok call (axios, HTTP client)',
  'database (knex, driver)',
  'JWT',
  'sanitizing the user',
  'logging',
  'the plugin’s own code',
  'garbage collection',
  'other (Node internals, V8)',
] as const;
export type Component = (typeof COMPONENTS)[number];

/** First match wins, tried on each frame from the innermost outwards. */
const RULES: Array<[Component, RegExp]> = [
  ['JWT', /node_modules\/(jsonwebtoken|jws|jwa|jose)\/|users-permissions\/dist\/server\/services\/jwt/],
  ['rate limit', /node_modules\/koa2-ratelimit\/|middlewares\/rate-limit|middlewares\/rateLimit/],
  ['body parsing', /node_modules\/(co-body|raw-body|koa-body|formidable|qs|inflation|iconv-lite)\/|middlewares\/body/],
  ['validation', /node_modules\/yup\/|connect-request|validation\//],
  ['sanitizing the user', /@strapi\/utils\/dist\/(sanitize|traverse|validate)|sanitize/],
  ['database (knex, driver)', /node_modules\/(knex|better-sqlite3|pg|pg-protocol|mysql2|tarn)\/|@strapi\/database\//],
  ['TikTok call (axios, HTTP client)', /node_modules\/(axios|agentkeepalive|follow-redirects|form-data|proxy-from-env)\/|node:_http_client|node:_http_agent/],
  ['logging', /node_modules\/(winston|logform|winston-transport|@colors)\/|@strapi\/logger/],
  ['Strapi routing and HTTP', /node_modules\/(koa|@koa\/router|koa-compose|koa-compress|@koa\/cors|koa-helmet|helmet|http-errors|path-to-regexp|statuses|cookies|delegates|on-finished)\/|@strapi\/core\/dist\/(services\/server|middlewares|domain\/module|services\/content-api|utils)|node:_http_server|node:_http_common|node:_http_outgoing|node:_http_incoming/],
  // Its build (dist/server/ outside node_modules: the bench runs the plugin from this repository) or its sources.
  ['the plugin’s own code', /^(?!.*\/node_modules\/).*\/dist\/server\/|\/server\/src\//],
];

const componentOfFrame = ({ url, functionName }: Runtime.CallFrame): Component | null => {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (!url) return null;
  const path = url.replace(/\\/g, '/');
  for (const [component, pattern] of RULES) if (pattern.test(path)) return component;
  return null;
};

/** Milliseconds of CPU per component (idle left out), and the total. */
export function summarizeProfile(profile: Profiler.Profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  const componentOfNode = new Map<number, Component | 'idle'>();
  const resolve = (id: number): Component | 'idle' => {
    const known = componentOfNode.get(id);
    if (known) return known;
    let found: Component | 'idle' = 'other (Node internals, V8)';
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
      const frame = byId.get(current)!.callFrame;
      if (frame.functionName === '(idle)') {
        found = 'idle';
        break;
      }
      const component = componentOfFrame(frame);
      if (component) {
        found = component;
        break;
      }
    }
    componentOfNode.set(id, found);
    return found;
  };

  const micros = new Map<Component, number>(COMPONENTS.map((component) => [component, 0]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i += 1) {
    const component = resolve(samples[i]);
    if (component !== 'idle') micros.set(component, micros.get(component)! + (deltas[i] ?? 0));
  }
  const totalMs = [...micros.values()].reduce((sum, value) => sum + value, 0) / 1000;
  return { totalMs, components: COMPONENTS.map((component) => ({ component, ms: micros.get(component)! / 1000 })) };
}
