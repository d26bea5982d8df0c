// Screenshot baselines: a full-page screenshot compared with the PNG
// committed under tests/browser/screens/, pixel by pixel, in Chromium
// itself (a canvas decodes both), with a tolerance for anti-aliasing.
// UPDATE_SCREENSHOTS=1 writes the baselines instead of comparing.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARTIFACTS } from './lib.mjs';

export const BASELINES = join(dirname(fileURLToPath(import.meta.url)), 'screens');
export const UPDATE = process.env.UPDATE_SCREENSHOTS === '1';

// A pixel differs when a channel differs by more than CHANNEL (of 255); a
// screenshot differs when more than RATIO of its pixels do, or its size does.
const CHANNEL = 48;
const RATIO = 0.005;

// Compares two PNGs in a page of the browser: {width, height,
// differing, ratio, sizeDiffers, diff (a PNG of the differing pixels in red,
// base64)}.
async function comparePngs(page, actual, expected) {
  return page.evaluate(async ([a, b, channel]) => {
    const decode = async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const c = new OffscreenCanvas(bmp.width, bmp.height);
      const g = c.getContext('2d');
      g.drawImage(bmp, 0, 0);
      return { w: bmp.width, h: bmp.height, data: g.getImageData(0, 0, bmp.width, bmp.height).data };
    };
    const x = await decode(a);
    const y = await decode(b);
    if (x.w !== y.w || x.h !== y.h) return { sizeDiffers: true, width: x.w, height: x.h, expectedWidth: y.w, expectedHeight: y.h };
    const out = new OffscreenCanvas(x.w, x.h);
    const g = out.getContext('2d');
    const img = g.createImageData(x.w, x.h);
    let differing = 0;
    for (let i = 0; i < x.data.length; i += 4) {
      const d = Math.max(Math.abs(x.data[i] - y.data[i]), Math.abs(x.data[i + 1] - y.data[i + 1]), Math.abs(x.data[i + 2] - y.data[i + 2]));
      if (d > channel) {
        differing++;
        img.data.set([255, 0, 0, 255], i);
      } else {
        // the baseline, faded, for orientation
        img.data.set([255 - (255 - y.data[i]) / 4, 255 - (255 - y.data[i + 1]) / 4, 255 - (255 - y.data[i + 2]) / 4, 255], i);
      }
    }
    g.putImageData(img, 0, 0);
    const blob = await out.convertToBlob({ type: 'image/png' });
    const buf = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (let i = 0; i < buf.length; i += 0x8000) s += String.fromCharCode(...buf.subarray(i, i + 0x8000));
    return { width: x.w, height: x.h, differing, ratio: differing / (x.w * x.h), diff: btoa(s) };
  }, [actual.toString('base64'), expected.toString('base64'), CHANNEL]);
}

// Takes page's full-page screenshot `name` (options: more screenshot
// options, e.g. mask) into tests/artifacts/browser/, and compares it with
// tests/browser/screens/name.png, or writes that with UPDATE_SCREENSHOTS=1.
// Throws on a difference, naming the files to look at.
export async function matchScreenshot(page, name, options = {}) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const actualPath = join(ARTIFACTS, `${name}.png`);
  const png = await page.screenshot({ path: actualPath, fullPage: true, animations: 'disabled', caret: 'hide', scale: 'css', ...options });
  const baseline = join(BASELINES, `${name}.png`);
  if (UPDATE) {
    mkdirSync(BASELINES, { recursive: true });
    writeFileSync(baseline, png);
    console.log(`baseline ${name}: written to ${baseline}`);
    return;
  }
  if (!existsSync(baseline)) {
    throw new Error(`no baseline ${baseline}; run with UPDATE_SCREENSHOTS=1 to write it (this screenshot: ${actualPath})`);
  }
  // in a blank page of its own: nothing of the app's page (its CSP) in the way
  const blank = await page.context().newPage();
  let r;
  try {
    r = await comparePngs(blank, png, readFileSync(baseline));
  } finally {
    await blank.close();
  }
  if (r.sizeDiffers) {
    throw new Error(`screenshot ${name} is ${r.width}x${r.height}, its baseline ${r.expectedWidth}x${r.expectedHeight} (${actualPath} vs ${baseline}); if the change is meant, UPDATE_SCREENSHOTS=1`);
  }
  const diffPath = join(ARTIFACTS, `${name}.diff.png`);
  writeFileSync(diffPath, Buffer.from(r.diff, 'base64'));
  console.log(`screenshot ${name}: ${r.differing} of ${r.width * r.height} pixels differ (${(r.ratio * 100).toFixed(3)}%)`);
  if (r.ratio > RATIO) {
    throw new Error(`screenshot ${name} differs from its baseline in ${(r.ratio * 100).toFixed(2)}% of its pixels (more than ${RATIO * 100}%): ` +
      `${actualPath} vs ${baseline}, differences in red in ${diffPath}; if the change is meant, UPDATE_SCREENSHOTS=1`);
  }
}
