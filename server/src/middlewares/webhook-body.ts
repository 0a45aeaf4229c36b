import type { IncomingMessage } from 'node:http';
import type { Context } from 'koa';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';

import { PLUGIN_ID } from '../constants';

/** A TikTok event is a few hundred bytes. */
const MAX_WEBHOOK_BODY_BYTES = 64 * 1024;

const rawBodies = new WeakMap<Context, Buffer>();

/** The exact bytes of a webhook delivery, as they came over the wire; undefined for any other request. */
export const rawWebhookBody = (ctx: Context) => rawBodies.get(ctx);

const tooLarge = () =>
  new errors.PayloadTooLargeError(`The request body must be at most ${MAX_WEBHOOK_BODY_BYTES} bytes`, {
    code: 'payload_too_large',
  });

const unreadable = () => new errors.ValidationError('The request body could not be read', { code: 'webhook_payload_invalid' });

/** Reads the whole body, refusing it once it passes the limit, whatever Content-Length said. */
const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    if (Number(req.headers['content-length']) > MAX_WEBHOOK_BODY_BYTES) return reject(tooLarge());
    if (!req.readable) return reject(unreadable());
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => req.off('data', onData).off('end', onEnd).off('error', onAbort).off('close', onAbort);
    const fail = (error: Error) => {
      stop();
      req.pause();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_WEBHOOK_BODY_BYTES) fail(tooLarge());
      else chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onAbort = () => fail(unreadable());
    req.on('data', onData).on('end', onEnd).on('error', onAbort).on('close', onAbort);
  });

/**
 * The webhook signature covers the body's exact bytes, which Strapi's body parser (`strapi::body`,
 * koa-body) consumes and does not keep unless the host app sets `includeUnparsed` for every request.
 * So the plugin extends `strapi::body` through Strapi's middleware registry: a POST to the webhook path
 * is read here, capped, and kept as bytes (the webhook service parses it once the signature holds);
 * every other request goes to the host's body parser with the host's config, unchanged.
 */
export const keepWebhookBody = (strapi: Core.Strapi) => {
  strapi.get('middlewares').extend('strapi::body', (bodyParser: Core.MiddlewareFactory): Core.MiddlewareFactory => (config, context) => {
    const parse = bodyParser(config, context);
    // Koa's router matches paths case-insensitively, with or without a trailing slash.
    const webhookPath = `${strapi.config.get('api.rest.prefix', '/api')}/${PLUGIN_ID}/webhook`.toLowerCase();
    const isWebhook = (ctx: Context) => ctx.method === 'POST' && ctx.path.toLowerCase().replace(/\/+$/, '') === webhookPath;

    return async (ctx, next) => {
      if (!isWebhook(ctx)) return parse ? parse(ctx, next) : next();
      try {
        rawBodies.set(ctx, await readBody(ctx.req));
      } catch (error) {
        // What is left of a refused body is not read: Node closes the connection after the answer.
        ctx.set('Connection', 'close');
        throw error;
      }
      return next();
    };
  });
};
