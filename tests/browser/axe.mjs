// axe-core in the browser tests: injected into the page (chatd's pages
// allow only script-src 'self', so not as a script tag: page.evaluate runs
// its source in the page as the debugger would), then run on the whole page
// or on one part of it. axe reads open shadow roots, so the widget's Shadow
// DOM is checked like the rest. A failure names each rule, the elements (as
// selectors, "host >> inner" for one in a shadow root) and what is wrong.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const AXE_VERSION = JSON.parse(readFileSync(require.resolve('axe-core/package.json'), 'utf8')).version;

// WCAG 2.0, 2.1 and 2.2 A and AA, and axe's best practices.
export const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

// Waits for the page's finite animations and transitions (a panel sliding
// in is checked as it will stay, not half faded); endless ones (a blinking
// dot) are left running.
async function settle(page) {
  await page.evaluate(async () => {
    const all = new Set(document.getAnimations());
    for (const el of document.querySelectorAll('*')) if (el.shadowRoot) for (const a of el.shadowRoot.getAnimations()) all.add(a);
    const finite = [...all].filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime));
    await Promise.all(finite.map((a) => a.finished.catch(() => {})));
  });
}

async function inject(page) {
  const has = await page.evaluate(() => typeof window.axe === 'object' && typeof window.axe.run === 'function');
  if (!has) await page.evaluate(AXE_SOURCE);
}

// The violations axe finds on page (context: an axe context, e.g.
// { include: [['chatd-widget']] }; default the whole document), as
// [{id, impact, help, nodes: [{target, summary}]}].
export async function axeViolations(page, { context = null, tags = TAGS, rules = {} } = {}) {
  await inject(page);
  await settle(page);
  return page.evaluate(async ({ context, tags, rules }) => {
    const res = await window.axe.run(context || document, {
      runOnly: { type: 'tag', values: tags },
      rules,
      resultTypes: ['violations'],
    });
    return res.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({
        target: n.target.map((t) => (Array.isArray(t) ? t.join(' >> ') : t)).join(' | '),
        summary: (n.failureSummary || '').replace(/\s+/g, ' ').trim(),
      })),
    }));
  }, { context, tags, rules });
}

export function formatViolations(view, violations) {
  const lines = [`${view}: ${violations.length} axe violation(s)`];
  for (const v of violations) {
    lines.push(`  ${v.id} (${v.impact}): ${v.help} — ${v.nodes.length} element(s)`);
    for (const n of v.nodes.slice(0, 8)) lines.push(`    ${n.target}\n      ${n.summary}`);
    if (v.nodes.length > 8) lines.push(`    … and ${v.nodes.length - 8} more`);
  }
  return lines.join('\n');
}

// Fails, readably, on any violation in the view shown now.
export async function assertAccessible(page, view, options = {}) {
  const v = await axeViolations(page, options);
  if (v.length) throw new Error(formatViolations(view, v));
  return v;
}

// The widget only (its host element and Shadow DOM), not the host page.
export const WIDGET = { include: [['chatd-widget']] };
