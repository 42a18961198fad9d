/**
 * @module worker/ui-assets — the query UI's static files (ui/dist, the ASSETS binding), served by
 * the Worker after authentication (wrangler.toml runs the Worker first for every path, so no file
 * bypasses the auth middleware). Unknown paths get index.html (the binding's single-page-application
 * handling: /graph, /stores, /blocks are UI routes). UI answers carry security headers.
 */
import type { Context } from 'hono';
import type { Env } from './env.ts';

/**
 * What the built UI needs and nothing more: its own script and stylesheet, API calls to this
 * origin, inline styles (CodeMirror and uPlot set style attributes), no framing by other sites.
 */
export const UI_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const UI_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': UI_CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Paths that belong to the APIs: never answered with the UI's index.html. */
function isApiPath(path: string): boolean {
  return path.startsWith('/api/') || path.startsWith('/-/') || path === '/metrics';
}

/** The UI file for this request, with security headers; 404 for API paths or without assets. */
export async function serveUi(c: Context<{ Bindings: Env }>): Promise<Response> {
  if (!c.env.ASSETS || isApiPath(c.req.path)) return c.notFound();
  const asset = await c.env.ASSETS.fetch(c.req.raw);
  const r = new Response(asset.body, asset);
  for (const [name, value] of Object.entries(UI_SECURITY_HEADERS)) r.headers.set(name, value);
  return r;
}
