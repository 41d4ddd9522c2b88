// Loads the reference library installed by install.sh.
import { createRequire } from 'module';
import path from 'path';
import { fileURLToPath } from 'url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, '.cache/npm-peers/'));
export const hf = require('@anush008/tokenizers');
export const libVersion = require('@anush008/tokenizers/package.json').version;
