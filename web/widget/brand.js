// The host's brand colour (mount's `brandColor`), made readable: WCAG 2
// contrast picks white or near-black text on it (at least 4.5:1), and a
// colour too light against the widget's white background for focus rings
// and borders (under 3:1) or for text (under 4.5:1) gets a darkened variant
// for those. Pure functions, testable in Node.

const HEX = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
export const WHITE = [255, 255, 255];
export const INK = [17, 24, 39]; // #111827, the near-black text
const BLACK = [0, 0, 0];

// '#rgb', '#rgba', '#rrggbb' or '#rrggbbaa' to [r, g, b] (alpha ignored:
// the colour is used opaque), or null.
export function parseHex(s) {
  if (typeof s !== 'string' || !HEX.test(s.trim())) return null;
  let x = s.trim().slice(1);
  if (x.length <= 4) x = [...x].map((c) => c + c).join('');
  return [0, 2, 4].map((i) => parseInt(x.slice(i, i + 2), 16));
}

export const toHex = (rgb) => `#${rgb.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;

// WCAG 2 relative luminance and contrast ratio.
export function luminance(rgb) {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

// The text colour on rgb: white if it reads at 4.5:1, else near-black, else
// black (some mid tones reach 4.5:1 only with pure black).
export function textOn(rgb) {
  if (contrast(rgb, WHITE) >= 4.5) return WHITE;
  if (contrast(rgb, INK) >= 4.5) return INK;
  return BLACK;
}

const mix = (a, b, f) => a.map((v, i) => v + (b[i] - v) * f);

// rgb darkened (towards black) just enough to reach `min` against white.
export function darkenFor(rgb, min) {
  for (let f = 0; f <= 1; f += 0.02) {
    const c = mix(rgb, BLACK, f).map(Math.round);
    if (contrast(c, WHITE) >= min) return c;
  }
  return BLACK;
}

const warned = new Set();
function warnOnce(msg) {
  if (warned.has(msg)) return;
  warned.add(msg);
  console.warn(`ChatdWidget: ${msg}`);
}

// The widget's CSS custom properties for a brand colour, or null (none
// given, or not a hex colour: the default colours stay, with a warning).
//   --accent        the brand: launcher, header, the customer's bubbles, primary buttons
//   --accent-ink    text and icons on it
//   --accent-dark   its hover shade (still readable with --accent-ink)
//   --accent-ui     borders on white (>= 3:1); --focus, focus outlines, the same
//   --accent-text   the brand as text on white (>= 4.5:1)
export function brandTheme(color) {
  if (color == null || color === '') return null;
  const rgb = parseHex(color);
  if (!rgb) {
    warnOnce(`brandColor ${JSON.stringify(color)} is not a CSS hex colour (#rgb or #rrggbb); the default colours are used`);
    return null;
  }
  const ink = textOn(rgb);
  const hover = ink === WHITE ? mix(rgb, BLACK, 0.12) : mix(rgb, WHITE, 0.2);
  const onWhite = contrast(rgb, WHITE);
  const ui = onWhite >= 3 ? rgb : darkenFor(rgb, 3);
  const text = onWhite >= 4.5 ? rgb : darkenFor(rgb, 4.5);
  if (onWhite < 3) {
    warnOnce(`brandColor ${color} has a contrast of ${onWhite.toFixed(2)}:1 against the widget's white background (3:1 needed for focus rings and borders); ${toHex(ui)} is used for those`);
  }
  return {
    color: toHex(rgb),
    ink: toHex(ink),
    ui: toHex(ui),
    text: toHex(text),
    vars: {
      '--accent': toHex(rgb),
      '--accent-dark': toHex(hover),
      '--accent-ink': toHex(ink),
      '--accent-ui': toHex(ui),
      '--accent-text': toHex(text),
      '--accent-muted': toHex(mix(rgb, WHITE, 0.45)),
      '--head-bg': toHex(rgb),
      '--accent-glow': `rgba(${rgb.join(', ')}, 0.35)`,
      '--ring': `0 0 0 3px ${toHex(ui)}`,
      '--focus': toHex(ui),
    },
  };
}
