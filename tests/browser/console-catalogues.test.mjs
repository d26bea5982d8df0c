// The console's message catalogues (web/console/i18n/), checked in Node
// against English: the same keys, the same {placeholders}, plural entries
// with exactly the categories Intl.PluralRules of the language has, and no
// empty text. Every language of the picker has a catalogue and a loader.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import en from '../../web/console/i18n/en.js';
import { loaders, LANGUAGES } from '../../web/console/lang.js';

const dir = fileURLToPath(new URL('../../web/console/i18n/', import.meta.url));
const langs = readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)).sort();

const holes = (s) => new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
const union = (sets) => new Set(sets.flatMap((s) => [...s]));
const same = (a, b) => a.size === b.size && [...a].every((x) => b.has(x));
const show = (s) => JSON.stringify([...s].sort());
// every {placeholder} of a text, or of all of a plural entry's forms
const holesOf = (v) => (typeof v === 'string' ? holes(v) : union(Object.values(v).map(holes)));

test('every console language has a catalogue, a loader and a place in the picker', () => {
  assert.deepEqual(langs, ['ar', 'de', 'en', 'fr']);
  assert.deepEqual(Object.keys(loaders).sort(), langs.filter((l) => l !== 'en'));
  assert.deepEqual(Object.keys(LANGUAGES).sort(), langs);
});

for (const lang of langs) {
  test(`console catalogue ${lang}: keys, placeholders, plurals and texts as English`, async () => {
    const cat = (await import(`../../web/console/i18n/${lang}.js`)).default;
    const categories = new Set(new Intl.PluralRules(lang).resolvedOptions().pluralCategories);
    assert.deepEqual(Object.keys(cat).filter((k) => !(k in en)), [], `${lang} has keys English does not`);
    assert.deepEqual(Object.keys(en).filter((k) => !(k in cat)), [], `${lang} lacks keys`);
    for (const [key, value] of Object.entries(cat)) {
      const base = en[key];
      assert.equal(typeof value, typeof base, `${lang} ${key}: a plural entry in one and a text in the other`);
      if (typeof value === 'string') {
        assert.ok(value.trim(), `${lang} ${key} is empty`);
        assert.ok(same(holes(value), holes(base)), `${lang} ${key} has placeholders ${show(holes(value))}, English ${show(holes(base))}`);
        continue;
      }
      assert.ok(same(new Set(Object.keys(value)), categories),
        `${lang} ${key} has plural forms ${show(new Set(Object.keys(value)))}; Intl.PluralRules('${lang}') has ${show(categories)}`);
      for (const [cat1, form] of Object.entries(value)) {
        assert.ok(typeof form === 'string' && form.trim(), `${lang} ${key}.${cat1} is empty`);
        // a form may say the count in words ("two chats" in one word), so
        // it may leave out {n}, never add a placeholder English lacks
        const extra = [...holes(form)].filter((h) => !holesOf(base).has(h));
        assert.deepEqual(extra, [], `${lang} ${key}.${cat1} has placeholders English lacks`);
      }
      assert.ok(same(holesOf(value), holesOf(base)), `${lang} ${key} uses placeholders ${show(holesOf(value))}, English ${show(holesOf(base))}`);
    }
  });
}
