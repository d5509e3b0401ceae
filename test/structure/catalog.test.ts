import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogModule } from '../../src/resources/catalog.js';
import { RESOURCES } from '../../src/resources/index.js';

describe('the client catalog', () => {
  it('src/client/catalog.ts is what `npm run catalog` writes from the registry', () => {
    expect(readFileSync('src/client/catalog.ts', 'utf8')).toBe(catalogModule(RESOURCES));
  });

  it('the client module loads no schema library', () => {
    const text = readFileSync('dist/src/client/index.js', 'utf8');
    const runtimeImports = [...text.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    expect(runtimeImports.sort()).toEqual(['../paths.js', './catalog.js', './events.js', './transport.js']);
    // the event stream's parser and iterator import nothing at run time
    expect(readFileSync('dist/src/client/events.js', 'utf8')).not.toMatch(/^import .* from /m);
  });
});
