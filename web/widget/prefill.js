// The host's prefill (mount's `prefill`) as the new-conversation form's
// values, and the environments `open` accepts. Its own small module: the
// shell checks a prefill at mount() without loading the form.

export const ENVIRONMENTS = ['multidev', 'dev', 'test', 'live'];
const FIELDS = ['summary', 'steps', 'environment', 'began', 'errors', 'screenshots'];

// Strings of the form's fields, screenshots as lines, an environment only
// if `open` accepts it.
export function prefillValues(prefill) {
  const out = {};
  if (!prefill || typeof prefill !== 'object') return out;
  for (const name of FIELDS) {
    let v = prefill[name];
    if (name === 'screenshots' && Array.isArray(v)) v = v.join('\n');
    if (typeof v !== 'string') continue;
    if (name === 'environment') {
      v = v.toLowerCase();
      if (!ENVIRONMENTS.includes(v)) continue;
    }
    out[name] = v;
  }
  return out;
}
