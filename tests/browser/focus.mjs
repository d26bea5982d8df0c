// Focus in the browser tests: which element has it (through open shadow
// roots), whether it is shown and where, and its focus ring: the outline's
// colour, width and offset, the background next to it (what is behind the
// outline: the element's own for an inset ring, else its parent's, through
// translucent layers) and the contrast of the two (WCAG 1.4.11: 3:1).
export async function focused(page) {
  return page.evaluate(async () => {
    // measured at rest: after finite animations (a panel fading in)
    const anims = new Set(document.getAnimations());
    for (const e of document.querySelectorAll('*')) if (e.shadowRoot) for (const a of e.shadowRoot.getAnimations()) anims.add(a);
    await Promise.all([...anims].filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime)).map((a) => a.finished.catch(() => {})));
    let el = document.activeElement;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const up = (n) => n.parentElement || (n.getRootNode() instanceof ShadowRoot ? n.getRootNode().host : null);
    const rgba = (s) => {
      const m = String(s).match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const [r, g, b, a = 1] = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return { r, g, b, a };
    };
    const lum = ({ r, g, b }) => [r, g, b].map((c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }).reduce((s, c, i) => s + c * [0.2126, 0.7152, 0.0722][i], 0);
    const over = (top, under) => ({
      r: top.r * top.a + under.r * (1 - top.a),
      g: top.g * top.a + under.g * (1 - top.a),
      b: top.b * top.a + under.b * (1 - top.a),
      a: 1,
    });
    // the opaque colour painted behind n: its background, and its
    // ancestors' through translucent ones (the canvas is white)
    const backdrop = (n) => {
      const layers = [];
      for (let p = n; p; p = up(p)) {
        const c = rgba(getComputedStyle(p).backgroundColor);
        if (c && c.a > 0) {
          layers.push(c);
          if (c.a >= 1) break;
        }
      }
      return layers.reduceRight((acc, c) => over(c, acc), { r: 255, g: 255, b: 255, a: 1 });
    };
    const cs = getComputedStyle(el);
    const width = parseFloat(cs.outlineWidth) || 0;
    const offset = parseFloat(cs.outlineOffset) || 0;
    const color = rgba(cs.outlineColor);
    const ring = cs.outlineStyle !== 'none' && width > 0 && color && color.a > 0;
    const bg = backdrop(offset < 0 ? el : up(el) || el);
    const solid = ring ? over(color, bg) : null;
    const [hi, lo] = ring ? [lum(solid), lum(bg)].sort((x, y) => y - x) : [0, 0];
    const chain = [];
    for (let p = el; p; p = up(p)) chain.push(p.id || p.dataset?.testid || '');
    const rect = el.getBoundingClientRect();
    const hex = (c) => `rgb(${Math.round(c.r)}, ${Math.round(c.g)}, ${Math.round(c.b)})`;
    const text = (el.getAttribute('aria-label') || el.textContent || el.value || '').replace(/\s+/g, ' ').trim().slice(0, 40);
    return {
      desc: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.dataset.testid ? `[data-testid=${el.dataset.testid}]` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}${text ? ` "${text}"` : ''}`,
      id: el.id,
      conv: el.closest('[data-conv]')?.dataset.conv || '',
      inShadow: el.getRootNode() instanceof ShadowRoot,
      testid: el.dataset.testid || '',
      chain: chain.filter(Boolean),
      shown: el.checkVisibility({ opacityProperty: true, visibilityProperty: true }) && rect.width > 0 && rect.height > 0,
      focusVisible: el.matches(':focus-visible'),
      outline: { style: cs.outlineStyle, width, offset, color: cs.outlineColor },
      background: hex(bg),
      contrast: ring ? (hi + 0.05) / (lo + 0.05) : 0,
    };
  });
}

// What is wrong with the focus now, or '' (what: the step, for the message):
// nothing focused (lost to the page), hidden, or a ring missing or under 3:1.
export async function focusProblem(page, what) {
  const f = await focused(page);
  if (!f) return `${what}: focus is lost (nothing but the page has it)`;
  if (!f.shown) return `${what}: focus is on a hidden element, ${f.desc}`;
  if (f.outline.style === 'none' || f.outline.width < 2) return `${what}: ${f.desc} shows no focus ring (outline ${f.outline.style} ${f.outline.width}px)`;
  if (f.contrast < 3) return `${what}: ${f.desc}'s focus ring ${f.outline.color} has ${f.contrast.toFixed(2)}:1 against ${f.background}, under 3:1`;
  return '';
}

// Presses key on page (a keyboard-only user), then checks the focus.
export async function press(page, key, what = key) {
  await page.keyboard.press(key);
  const p = await focusProblem(page, `after ${what}`);
  if (p) throw new Error(p);
  return focused(page);
}

// Presses Tab (or Shift+Tab) until pred(focused) holds; every stop on the
// way must show its focus ring. Past the page's last stop focus leaves the
// page once (to the browser), and the next Tab starts over: that is not
// lost. Fails after max presses.
// only(f): the stops whose ring is checked (default all; the widget's
// tests leave the host page's own to it).
export async function tabTo(page, pred, what, { max = 60, back = false, only = () => true } = {}) {
  const key = back ? 'Shift+Tab' : 'Tab';
  const seen = [];
  let out = false;
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const f = await focused(page);
    if (!f && !out) {
      out = true;
      seen.push('(out of the page)');
      continue;
    }
    out = false;
    const p = only(f) ? await focusProblem(page, `${key} towards ${what}`) : '';
    if (p) throw new Error(`${p}; focus went through:\n  ${seen.join('\n  ')}`);
    seen.push(f.desc);
    if (pred(f)) return f;
  }
  throw new Error(`${what} not reached in ${max} ${key} presses; focus went through:\n  ${seen.join('\n  ')}`);
}

// Every Tab stop of the page from where focus is now, once round: the
// problems (see focusProblem) and the stops seen.
// only(f): the stops to check (default all).
export async function sweep(page, what, { max = 120, only = () => true } = {}) {
  const problems = [];
  const stops = [];
  let first = null;
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (!f) {
      if (stops.length) break; // past the last stop
      continue;
    }
    const key = `${f.desc}@${f.chain.join('<')}`;
    if (key === first) break;
    first ??= key;
    if (!only(f)) continue;
    stops.push(f);
    const p = await focusProblem(page, `${what}, Tab stop ${stops.length}`);
    if (p) problems.push(p);
  }
  return { problems, stops };
}

// Moves the start of sequential focus navigation to the top of the page:
// the next Tab goes to its first stop. (A focused stand-in at the start of
// the body, not a stop itself, gone once it loses focus.)
export async function fromTop(page) {
  await page.evaluate(() => {
    const top = document.createElement('span');
    top.tabIndex = -1;
    top.addEventListener('blur', () => top.remove());
    document.body.prepend(top);
    top.focus();
  });
}
