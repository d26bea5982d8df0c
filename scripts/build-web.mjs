#!/usr/bin/env node
// Builds web/ (plain ES modules, the source) into what chatd serves
// (`make web`: build/web/). Usage: node scripts/build-web.mjs [SRC] [OUT].
//
// - widget/widget-<hash>.js: the widget in one minified ES module, its CSS
//   inside (imported as text, adopted by the shadow root); modules it
//   loads with import() (message catalogues) become chunks <name>-<hash>.js
//   beside it, fetched only when needed.
// - widget/widget.js: the loader host pages embed (web/widget/loader.js),
//   with the bundle's name written in; small and stable.
// - every *.html page: the module scripts and stylesheets it names from
//   its own folder are bundled into <name>-<hash>.js / .css beside it and
//   the page points at those; anything else it names (the demo's
//   ../widget/widget.js) is left alone.
// - other files (images, fonts) are copied as they are; Markdown is not.
// - every compressible file also as .gz (zlib level 9) and .br (Brotli
//   quality 11), each only when smaller than the file.
// The output folder is replaced as a whole.
import * as esbuild from 'esbuild';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';
import { cpSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const src = resolve(process.argv[2] || join(root, 'web'));
const out = resolve(process.argv[3] || join(root, 'build', 'web'));
const tmp = `${out}.tmp-${process.pid}`;

const COMPRESSIBLE = new Set(['.js', '.css', '.html', '.svg', '.json', '.txt', '.map', '.xml', '.ico', '.webmanifest']);
const BUNDLED = new Set(['.js', '.mjs', '.css', '.html', '.md']);

const common = {
  bundle: true,
  format: 'esm',
  splitting: true,
  minify: true,
  target: ['es2020'],
  entryNames: '[name]-[hash]',
  chunkNames: '[name]-[hash]',
  legalComments: 'none',
  charset: 'utf8',
  metafile: true,
  logLevel: 'warning',
};

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith('.')) return [];
    const p = join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}

// The output file esbuild wrote for entry (an absolute path).
function outputOf(result, entry) {
  const want = relative(process.cwd(), entry);
  for (const [file, o] of Object.entries(result.metafile.outputs)) {
    if (o.entryPoint === want) return resolve(file);
  }
  throw new Error(`build-web: no output for ${entry}`);
}

// Compiled bundles in a folder of their own per app: the widget must not
// share a chunk with the console (one more request for every host page).
async function bundle(entries, outdir, options = {}) {
  const result = await esbuild.build({ ...common, ...options, entryPoints: entries, outdir });
  return new Map(entries.map((e) => [e, outputOf(result, e)]));
}

async function buildWidget() {
  const entry = join(src, 'widget', 'widget.js');
  const outdir = join(tmp, 'widget');
  const result = await esbuild.build({ ...common, loader: { '.css': 'text' }, entryPoints: [entry], outdir });
  const built = outputOf(result, entry);
  // The chunks the bundle imports statically (code it shares with the views
  // chunk): the loader fetches them alongside it rather than one round trip
  // later.
  const out = result.metafile.outputs[relative(process.cwd(), built)];
  const chunks = out.imports.filter((i) => i.kind === 'import-statement').map((i) => `./${basename(i.path)}`);
  await esbuild.build({
    entryPoints: [join(src, 'widget', 'loader.js')],
    outfile: join(outdir, 'widget.js'),
    bundle: false,
    format: 'esm',
    minify: true,
    target: ['es2020'],
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'warning',
    define: { WIDGET_BUNDLE: JSON.stringify(`./${basename(built)}`), WIDGET_CHUNKS: JSON.stringify(chunks) },
  });
}

// The local module scripts and stylesheets a page names: [attribute match,
// url]. Only names in the page's own folder (no slash) are bundled.
const ASSET = /<(?:script\b[^>]*\btype="module"[^>]*\bsrc|link\b[^>]*\brel="stylesheet"[^>]*\bhref)="([^"/:]+\.(?:js|css))"/g;

async function buildPage(page) {
  const dir = dirname(page);
  let html = readFileSync(page, 'utf8');
  const names = [...new Set([...html.matchAll(ASSET)].map((m) => m[1]))];
  const outdir = join(tmp, relative(src, dir));
  mkdirSync(outdir, { recursive: true });
  if (names.length) {
    const built = await bundle(names.map((n) => join(dir, n)), outdir);
    html = html.replace(ASSET, (all, name) => all.replace(`"${name}"`, `"${basename(built.get(join(dir, name)))}"`));
  }
  writeFileSync(join(outdir, basename(page)), html);
}

function compressAll(dir) {
  for (const file of walk(dir)) {
    if (!COMPRESSIBLE.has(extname(file))) continue;
    const data = readFileSync(file);
    const gz = gzipSync(data, { level: 9 });
    const br = brotliCompressSync(data, {
      params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: data.length },
    });
    if (gz.length < data.length) writeFileSync(`${file}.gz`, gz);
    if (br.length < data.length) writeFileSync(`${file}.br`, br);
  }
}

async function main() {
  const files = walk(src);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await buildWidget();
  for (const page of files.filter((f) => extname(f) === '.html')) await buildPage(page);
  for (const f of files.filter((f) => !BUNDLED.has(extname(f)))) {
    mkdirSync(dirname(join(tmp, relative(src, f))), { recursive: true });
    cpSync(f, join(tmp, relative(src, f)));
  }
  compressAll(tmp);
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
  const size = walk(out).reduce((n, f) => n + statSync(f).size, 0);
  console.log(`build-web: ${relative(process.cwd(), out) || '.'} (${walk(out).length} files, ${size} bytes)`);
}

main().catch((e) => {
  rmSync(tmp, { recursive: true, force: true });
  console.error(e.message);
  process.exit(1);
});
