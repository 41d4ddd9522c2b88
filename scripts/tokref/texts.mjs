// Writes testdata/tokenize/texts.json, the multilingual test set whose ids
// must match the reference library's id for id, and testdata/tokenize/fuzz.json:
// 600 random strings drawn from code point ranges where tokenizers go wrong
// (controls, every kind of space, combining marks, scripts, emoji
// modifiers, characters newer than the library's Unicode tables, special
// tokens, contractions), then every space, control and format character.
// Deterministic: the same files every run.
//
//   node scripts/tokref/texts.mjs
import fs from 'fs';
import path from 'path';
import { root } from './lib.mjs';

const NBSP = '\u00a0', THIN = '\u2009', NNBSP = '\u202f', ZWSP = '\u200b', ZWJ = '\u200d', IDEO = '\u3000';
const nfd = (s) => s.normalize('NFD');

const base = [
  // English and plain ASCII NER text
  'President Tran will travel to Barcelona next week to meet officials from the European Commission.',
  "The trial of Lars Miller began in Budapest on June 23, with prosecutors accusing the former general counsel of fraud.",
  "Shell agreed to pay JPY 597,075 to settle a lawsuit brought by Unilever in Mexico City.",
  "It's the company's third quarter; they've said we'll see, and I'm sure you'd agree.",
  'Apple Inc. (NASDAQ: AAPL) rose 3.5% to $189.25 on Tuesday.',
  'e-mail: jane.doe@example.com, tel. +44 20 7946 0958',
  'See https://en.wikipedia.org/wiki/Named-entity_recognition?lang=en&x=1#History for details.',
  'Visit www.example.org/path/to/page.html or ftp://files.example.net/pub/file.tar.gz today',
  'ALL CAPS HEADLINE: UN SECURITY COUNCIL MEETS IN NEW YORK',
  'camelCaseIdentifier snake_case_identifier kebab-case-identifier',
  'Pneumonoultramicroscopicsilicovolcanoconiosis and Supercalifragilisticexpialidocious are long words.',
  'A' + 'b'.repeat(120) + ' is a word longer than a hundred characters.',
  'x'.repeat(99) + ' ' + 'y'.repeat(100) + ' ' + 'z'.repeat(101),
  '1234567890 3.14159 1,000,000 2024-06-01 12:30:45 #42 @user',
  '"Quoted" \'single\' (parens) [brackets] {braces} <angle> a/b\\c | ~tilde ^caret `tick`',
  '!!! ??? ... --- *** ### $$$ %%% &&& +++ === ;;; ::: ,,,',
  // Accents, NFC and NFD
  'Café crème brûlée à la française, naïve façade, coöperate, résumé.',
  nfd('Café crème brûlée à la française, naïve façade, coöperate, résumé.'),
  'Zoë Brontë and Gaël Müller met François Mitterrand in Curaçao.',
  nfd('Zoë Brontë and Gaël Müller met François Mitterrand in Curaçao.'),
  'São Paulo, Bogotá, Zürich, Kraków, Łódź, İstanbul, Reykjavík, Þingvellir',
  nfd('São Paulo, Bogotá, Zürich, Kraków, Łódź, İstanbul, Reykjavík, Þingvellir'),
  'Ångström, Øresund, Æsir, Straße, ŒUVRE, ĲSSELMEER, ǅemal, ﬁnancial ﬂow',
  'Nguyễn Văn A sống ở Hà Nội, Việt Nam.',
  nfd('Nguyễn Văn A sống ở Hà Nội, Việt Nam.'),
  'Dvořák, Janáček, Smetana: Čeština, Slovenčina, Hrvatski, Română (ș ț ş ţ)',
  // Cyrillic, Greek
  'Москва — столица России. Владимир Путин встретился с Олафом Шольцем.',
  'МОСКВА И САНКТ-ПЕТЕРБУРГ',
  'Київ, Україна; Ёлка и ёжик; Ђорђе Јовановић',
  'Η Αθήνα είναι η πρωτεύουσα της Ελλάδας. ΟΔΥΣΣΕΥΣ, Σίσυφος, ς σ Σ.',
  nfd('Η Αθήνα είναι η πρωτεύουσα της Ελλάδας.'),
  // Arabic, Hebrew, Persian, Hindi, Thai
  'القاهرة هي عاصمة مصر. محمد بن سلمان في الرياض.',
  'مُحَمَّدٌ رَسُولُ اللهِ ١٢٣ ٤٥٦',
  'ירושלים היא בירת ישראל. בִּנְיָמִין נְתַנְיָהוּ',
  'تهران پایتخت ایران است؛ ۱۴۰۲',
  'नई दिल्ली भारत की राजधानी है। नरेंद्र मोदी ०१२३',
  'กรุงเทพมหานครเป็นเมืองหลวงของประเทศไทย',
  'ភ្នំពេញ ລາວ မြန်မာ ქართული Հայերեն',
  // CJK, kana, Hangul
  '東京は日本の首都です。安倍晋三が大阪で演説した。',
  'でんわ ばんごう ぱぴぷぺぽ ガギグゲゴ ヴ ｶﾞｷﾞｸﾞ',
  nfd('でんわ ばんごう ぱぴぷぺぽ ガギグゲゴ'),
  '北京是中华人民共和国的首都。习近平在上海会见了拜登。',
  '서울은 대한민국의 수도입니다. 문재인 대통령',
  nfd('서울은 대한민국의 수도입니다.'),
  '𠀋𡈽𡌛 𪚲 CJK extension B and beyond: 𠮷野家',
  '全角ＡＢＣ１２３！？　半角ｱｲｳ',
  // Emoji
  'Great job 👍🏽! 👨‍👩‍👧‍👦 family, 🏳️‍🌈 flag, 🇫🇷🇩🇪 flags, ❤️ heart, 🥲 smile.',
  '🙂🙃😉😊 ☺ ✌️ 1️⃣ #️⃣ 👩🏿‍💻 🧑‍🤝‍🧑',
  // Spaces and controls
  'no-break' + NBSP + 'space and thin' + THIN + 'space and narrow' + NNBSP + 'no-break',
  'zero' + ZWSP + 'width' + ZWSP + 'space and ZWJ' + ZWJ + 'joiner and ZWNJ\u200cnon',
  'ideographic' + IDEO + 'space, en\u2002em\u2003figure\u2007hair\u200a spaces',
  'tab\tseparated\tvalues\nnew line\r\nwindows line\u2028line sep\u2029para sep',
  'line one\n\nline two\n\n\nline three\n',
  '\n\nLeading blank lines and trailing ones\n\n',
  '   leading and trailing spaces   ',
  'double  spaces   and    more',
  'control\u0000chars\u0001and\u0007bell\u001bescape\u007fdel\u0085nel\u009fapc',
  'soft\u00adhyphen, word\u2060joiner, bom\ufeffhere, replacement\ufffdchar, private\ue000use',
  'bidi \u202aLRE\u202c \u200fRLM \u2066isolate\u2069 marks',
  'combining: a\u0300 e\u0301 o\u0308 n\u0303 c\u0327 stacked a\u0300\u0301\u0302\u0303',
  'variation selectors: ︎︎☺\ufe0e ☺\ufe0f 葛\udb40\udd00',
  'superscripts² ³ ¹ ½ ¾ ™ © ® ° № ℃ Ⅻ ⅻ ① ⑽',
  'math 𝐀𝐁𝐂 𝑥𝑦𝑧 ∑∫∂√∞ ≠ ≤ ≥ ± × ÷ → ⇒',
  'currency € £ ¥ ₹ ₽ ₩ ₿ ¢ $5 €10 ₹1,00,000',
  'dashes – — ― ‐ and quotes “double” ‘single’ «guillemets» „low“ ‹›',
  'ellipsis… bullet • middle·dot ¡Hola! ¿Qué? §1 ¶2 † ‡',
  // Mixed entity-heavy text
  'Dr. Müller (CEO of Siemens AG) said in Zürich: „Wir wachsen.“',
  'Владимир Путин and 習近平 met in Астана with Erdoğan.',
  'The Louvre’s director, Laurence des Cars, spoke with 마크롱 in Paris.',
  "O'Neill's and D'Angelo's; rock'n'roll 'tis 'twas y'all",
  'I.B.M. U.S.A. e.g. i.e. etc. vs. Mr. Mrs. Ms. St. Jr.',
];

// A small seeded generator, so the set is the same every run.
let seed = 20261129;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
const pick = (a) => a[Math.floor(rand() * a.length)];
const seps = [' ', ' ', ' ', '\n', '\n\n', '\t', NBSP, THIN, ' \n ', '  ', IDEO, ZWSP, '. ', ', '];

const texts = [...base];
while (texts.length < 260) {
  const n = 2 + Math.floor(rand() * 3);
  let t = pick(base);
  for (let i = 1; i < n; i++) t += pick(seps) + pick(base);
  if (rand() < 0.15) t = t.toUpperCase();
  if (rand() < 0.1) t = t.toLowerCase();
  if (rand() < 0.1) t = nfd(t);
  texts.push(t);
}
// Blank texts: `nerbench tokenize` skips them and keeps the indexes.
texts.splice(100, 0, '');
texts.splice(150, 0, '  \n\t ');
fs.writeFileSync(path.join(root, 'testdata/tokenize/texts.json'), JSON.stringify(texts, null, 0).replace(/","/g, '",\n"') + '\n');
console.error(`${texts.length} texts`);

// The fuzz set.
const pool = [];
const range = (lo, hi) => { for (let c = lo; c <= hi; c++) if (c < 0xd800 || c > 0xdfff) pool.push(String.fromCodePoint(c)); };
range(0x20, 0x7e); range(0x20, 0x7e); range(0, 0x1f); range(0x7f, 0xff); range(0x300, 0x36f); range(0x370, 0x3ff);
range(0x400, 0x45f); range(0x590, 0x5ff); range(0x600, 0x65f); range(0x900, 0x97f); range(0xe00, 0xe5f); range(0x1100, 0x1112);
range(0x2000, 0x206f); range(0x3000, 0x30ff); range(0x4e00, 0x4e40); range(0xac00, 0xac40); range(0xfe00, 0xfe0f);
range(0xff00, 0xffef); range(0x1f300, 0x1f350); range(0x1f3fb, 0x1f3ff); range(0x11900, 0x1195f); range(0x32f0, 0x32ff);
range(0xa7f0, 0xa7ff); range(0x1e000, 0x1e02f); range(0xe000, 0xe005);
for (const s of ["'s", "'ll", ' ', '  ', '\n\n', '\t', '[MASK]', '<s>', '<mask>', '##', '\u2581']) for (let i = 0; i < 20; i++) pool.push(s);
const fuzz = [];
for (let i = 0; i < 600; i++) {
  const n = 1 + Math.floor(rand() * 25);
  let t = '';
  for (let j = 0; j < n; j++) t += pick(pool);
  fuzz.push(t);
}
// Then every space and every control or format character, a few dozen to a
// string, between letters and digits (BERT's clean_text and whitespace rules,
// Nmt's, the byte-level split's \\s).
const every = [];
for (let c = 0; c <= 0x10ffff; c++) {
  if (c >= 0xd800 && c <= 0xdfff) continue;
  if (/[\p{White_Space}\p{Cc}\p{Cf}\p{Zs}\p{Zl}\p{Zp}]/u.test(String.fromCodePoint(c))) every.push(String.fromCodePoint(c));
}
for (let i = 0; i < every.length; i += 24) {
  fuzz.push(every.slice(i, i + 24).map((ch, k) => ch + (k % 3 === 0 ? 'x' : k % 3 === 1 ? 'É9' : ' ')).join(''));
}
fs.writeFileSync(path.join(root, 'testdata/tokenize/fuzz.json'), JSON.stringify(fuzz).replace(/","/g, '",\n"') + '\n');
console.error(`${fuzz.length} fuzz strings (${every.length} space, control and format characters)`);
