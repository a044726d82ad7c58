// `npm run build:web`: writes the page exactly as the gateways serve it (bundled by server/assets.ts)
// to dist/web/, for a CDN or a look at its size, and prints each file's size raw and gzipped.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadAssets } from '../server/assets.js';
import { ROOT } from '../server/launcher/cluster.js';

const out = join(ROOT, 'dist', 'web');
mkdirSync(out, { recursive: true });
const asset = await loadAssets();
let total = 0;
for (const [path, file] of [['/index.html', 'index.html'], ['/app.js', 'app.js'], ['/app.css', 'app.css']] as const) {
  const body = asset(path)!.body;
  writeFileSync(join(out, file), body);
  const gz = gzipSync(body).length;
  total += gz;
  console.log(`${file.padEnd(11)} ${String(Buffer.byteLength(body)).padStart(7)} B  ${String(gz).padStart(6)} B gzipped`);
}
console.log(`${'total'.padEnd(11)} ${''.padStart(7)}    ${String(total).padStart(6)} B gzipped  -> ${out}`);
