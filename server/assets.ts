// The page's files, bundled by esbuild from web/ once at start-up and served from memory:
// /app.js (web/src/main.ts and what it imports) and /app.css (web/src/style.css).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const WEB = join(dirname(fileURLToPath(import.meta.url)), '..', 'web');
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml' };

export type Asset = { type: string; body: string | Uint8Array };

export async function loadAssets(): Promise<(path: string) => Asset | null> {
  const files = new Map<string, Asset>();
  const out = await build({
    entryPoints: [join(WEB, 'src', 'main.ts'), join(WEB, 'src', 'style.css')], bundle: true, minify: true, format: 'esm', target: 'es2020',
    write: false, outdir: '/', sourcemap: false, legalComments: 'none', logLevel: 'silent',
  });
  for (const f of out.outputFiles) {
    const name = f.path.slice(f.path.lastIndexOf('/'));
    files.set(`/app${name.slice(name.lastIndexOf('.'))}`, { type: TYPES[name.split('.').pop()!] ?? 'application/octet-stream', body: f.text });
  }
  files.set('/index.html', { type: TYPES.html, body: readFileSync(join(WEB, 'index.html'), 'utf8') });
  return (path) => files.get(path) ?? null;
}
