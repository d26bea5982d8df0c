// The widget's message catalogues, checked in Node against English: the
// same keys, the same {placeholders}, plural entries with exactly the forms
// Intl.PluralRules of the language has, no empty text; every catalogue is
// loadable from widget.js's LANGUAGES, and every key the widget's code asks
// for by name exists.
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dirOf } from '../../web/lib/i18n.js';

const WIDGET = fileURLToPath(new URL('../../web/widget/', import.meta.url));
const DIR = join(WIDGET, 'i18n');
const langs = readdirSync(DIR).filter((f) => /^[a-z]{2,3}\.js$/.test(f)).map((f) => f.slice(0, -3));
const load = async (lang) => (await import(join(DIR, `${lang}.js`))).default;
const en = await load('en');

const isPlural = (v) => v !== null && typeof v === 'object';
const holes = (s) => new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
const sorted = (set) => [...set].sort();
// an entry's placeholders: a plural entry's forms may leave {n} out ("one
// minute", "دقيقتين") but each has all the others
const placeholders = (v) => (isPlural(v) ? new Set(Object.values(v).flatMap((s) => [...holes(s)])) : holes(v));
const categories = (lang) => sorted(new Intl.PluralRules(lang).resolvedOptions().pluralCategories);

test('the widget has English, French, German and Arabic', () => {
  assert.deepEqual(sorted(langs), ['ar', 'de', 'en', 'fr']);
});

for (const lang of langs) {
  test(`catalogue ${lang}: keys, placeholders, plural forms, no empty text`, async () => {
    const cat = await load(lang);
    assert.deepEqual(sorted(Object.keys(cat)), sorted(Object.keys(en)), `${lang} has the keys of en`);
    const need = categories(lang);
    for (const [key, ref] of Object.entries(en)) {
      const v = cat[key];
      assert.equal(isPlural(v), isPlural(ref), `${lang} ${key}: a plural entry exactly where en has one`);
      if (isPlural(v)) {
        const forms = sorted(Object.keys(v).filter((k) => !k.startsWith('=')));
        assert.deepEqual(forms, need, `${lang} ${key}: the plural forms of ${lang}`);
        const others = sorted(placeholders(ref)).filter((p) => p !== 'n');
        for (const [form, s] of Object.entries(v)) {
          assert.equal(typeof s, 'string', `${lang} ${key}.${form} is a string`);
          assert.ok(s.trim(), `${lang} ${key}.${form} is not empty`);
          const mine = sorted(holes(s)).filter((p) => p !== 'n');
          assert.deepEqual(mine, others, `${lang} ${key}.${form}: placeholders {${others.join('}, {')}}`);
        }
        assert.deepEqual(sorted(placeholders(v)), sorted(placeholders(ref)), `${lang} ${key}: some form shows each of en's placeholders`);
      } else {
        assert.equal(typeof v, 'string', `${lang} ${key} is a string`);
        assert.ok(v.trim(), `${lang} ${key} is not empty`);
        assert.deepEqual(sorted(holes(v)), sorted(holes(ref)), `${lang} ${key}: the placeholders of en ${JSON.stringify(ref)}`);
      }
    }
  });
}

test('widget.js loads each catalogue but English with a dynamic import of its own', () => {
  const src = readFileSync(join(WIDGET, 'widget.js'), 'utf8');
  for (const lang of langs.filter((l) => l !== 'en')) {
    assert.match(src, new RegExp(`\\b${lang}: \\(\\) => import\\('\\./i18n/${lang}\\.js'\\)`), `LANGUAGES has ${lang}`);
  }
  assert.match(src, /import en from '\.\/i18n\/en\.js'/, 'English is imported statically');
});

test("every key the widget's code asks for by name is in en", () => {
  const files = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && e.name !== 'i18n') walk(join(dir, e.name));
      else if (e.name.endsWith('.js')) files.push(join(dir, e.name));
    }
  };
  walk(WIDGET);
  const missing = [];
  let asked = 0;
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    // t('key'...), i18n.t('key'...), t(cond ? 'a' : 'b') and keys in tables ({ label: 'form.x' })
    for (const m of src.matchAll(/\bt\(([^()]*?)[,)]/g)) {
      for (const k of m[1].matchAll(/'([a-z_]+\.[A-Za-z_]+)'/g)) {
        asked++;
        if (!(k[1] in en)) missing.push(`${f}: ${k[1]}`);
      }
    }
    for (const k of src.matchAll(/(?:label|hint|placeholder): '((?:form|detail)\.\w+)'/g)) {
      asked++;
      if (!(k[1] in en)) missing.push(`${f}: ${k[1]}`);
    }
  }
  assert.ok(asked > 100, `found the keys asked for (${asked})`);
  assert.deepEqual(missing, []);
});

// The loader (served as /widget/widget.js) names the launcher before the
// widget and its catalogues are there: its names are the catalogues'.
test("the loader's launcher names are the catalogues' launcher.open", { skip: !existsSync(join(WIDGET, 'loader.js')) && 'no loader' }, async () => {
  const src = readFileSync(join(WIDGET, 'loader.js'), 'utf8');
  const m = src.match(/const OPEN = (\{[^\n]*\});/);
  assert.ok(m, 'loader.js has its OPEN table');
  const open = Function(`return ${m[1]}`)();
  const want = {};
  for (const lang of langs) want[lang] = (await load(lang))['launcher.open'];
  assert.deepEqual(open, want);
  const rtl = Function(`return ${src.match(/const RTL = (\[[^\n]*\]);/)[1]}`)();
  assert.deepEqual(rtl, langs.filter((l) => dirOf(l) === 'rtl'), 'the right-to-left languages (lib/i18n.js dirOf)');
});
