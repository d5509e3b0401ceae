import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogModule } from '../../src/resources/catalog.js';
import { RESOURCES } from '../../src/resources/index.js';

const CLIENT_SRC = 'packages/client/src';

describe('the client catalog', () => {
  it('packages/client/src/catalog.ts is what `npm run catalog` writes from the registry', () => {
    expect(readFileSync(path.join(CLIENT_SRC, 'catalog.ts'), 'utf8')).toBe(catalogModule(RESOURCES));
  });

  it('the client module loads no schema library', () => {
    const text = readFileSync('dist/packages/client/src/index.js', 'utf8');
    const runtimeImports = [...text.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    expect(runtimeImports.sort()).toEqual(['./catalog.js', './events.js', './transport.js']);
    // the event stream's parser and iterator import nothing at run time
    expect(readFileSync('dist/packages/client/src/events.js', 'utf8')).not.toMatch(/^import .* from /m);
  });

  it('the client package imports nothing outside itself, types included, but Node and (dynamically) undici', () => {
    const outside = readdirSync(CLIENT_SRC)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((file) => {
        const text = readFileSync(path.join(CLIENT_SRC, file), 'utf8');
        const specs = [...text.matchAll(/(?:^|\s)(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/gm)].map((m) => m[1] ?? m[2]!);
        return specs.filter((s) => !/^\.\/[\w-]+\.js$/.test(s) && !s.startsWith('node:') && s !== 'undici').map((s) => `${file} -> ${s}`);
      });
    expect(outside).toEqual([]);
  });
});
