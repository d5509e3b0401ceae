// Prints the types of src/client-types.ts as plain TypeScript for the client package
// (packages/client/src/types.ts): every type written out as the compiler resolves it (zod's
// inferred objects become object types), so the client's declarations import nothing of the
// agent or of zod. A type of the agent's sources met on the way (an interface, a named union)
// is printed once under its own name and referred to by it. `npm run catalog` writes the file;
// test/client/types.test.ts checks it is current and identical to the agent's types.
import path from 'node:path';
import ts from 'typescript';

const SURFACE = 'src/client-types.ts';
export const CLIENT_TYPES_FILE = 'packages/client/src/types.ts';

interface Named {
  name: string;
  symbol: ts.Symbol;
  type: ts.Type;
}

function programOf(root: string): ts.Program {
  const configFile = path.join(root, 'tsconfig.json');
  const read = ts.readConfigFile(configFile, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configFile);
  return ts.createProgram({ rootNames: [path.join(root, SURFACE)], options: { ...options, noEmit: true } });
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The text of packages/client/src/types.ts, from the sources under `root`. */
export const clientTypesModule = (root: string = process.cwd()): string => clientTypes(root).text;

/** That text and the names src/client-types.ts exports (the others in the text are types they use). */
export function clientTypes(root: string = process.cwd()): { text: string; surface: string[] } {
  const program = programOf(root);
  const checker = program.getTypeChecker();
  const surfaceFile = program.getSourceFile(path.join(root, SURFACE));
  const moduleSymbol = surfaceFile && checker.getSymbolAtLocation(surfaceFile);
  if (!moduleSymbol) throw new Error(`${SURFACE} is not a module`);
  const srcDir = path.join(root, 'src') + path.sep;

  const queue: Named[] = [];
  const bySymbol = new Map<ts.Symbol, string>();
  const byType = new Map<ts.Type, string>();
  const taken = new Map<string, ts.Symbol>();
  const add = (name: string, symbol: ts.Symbol): string => {
    const other = taken.get(name);
    if (other && other !== symbol) throw new Error(`two types would be named ${name}: rename one or export it under another name from ${SURFACE}`);
    if (other) return name;
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    taken.set(name, symbol);
    bySymbol.set(symbol, name);
    byType.set(type, name);
    queue.push({ name, symbol, type });
    return name;
  };
  const surface = checker.getExportsOfModule(moduleSymbol).map((exported) =>
    add(exported.name, exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported),
  );

  const fromSources = (symbol: ts.Symbol | undefined) =>
    symbol?.declarations?.some((d) => path.resolve(d.getSourceFile().fileName).startsWith(srcDir)) === true;

  /** The name `type` is printed by, when it is a named type of the agent's sources. */
  const nameOf = (type: ts.Type): string | undefined => {
    const known = byType.get(type);
    if (known) return known;
    const alias = type.aliasSymbol;
    if (alias && !type.aliasTypeArguments?.length) {
      const name = bySymbol.get(alias);
      if (name) return name;
      if (fromSources(alias)) return add(alias.name, alias);
    }
    const isInterface = type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Interface;
    if (isInterface && type.symbol && !(type as ts.InterfaceType).typeParameters?.length) {
      const name = bySymbol.get(type.symbol);
      if (name) return name;
      if (fromSources(type.symbol)) return add(type.symbol.name, type.symbol);
    }
    return undefined;
  };

  const docOf = (symbol: ts.Symbol, indent: string): string => {
    const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
    if (!text) return '';
    const lines = text.split('\n');
    return lines.length === 1 ? `${indent}/** ${text} */\n` : `${indent}/**\n${lines.map((l) => `${indent} * ${l}`.trimEnd()).join('\n')}\n${indent} */\n`;
  };

  const isEmptyObject = (type: ts.Type) =>
    type.flags & ts.TypeFlags.Object &&
    checker.getPropertiesOfType(type).length === 0 &&
    checker.getIndexInfosOfType(type).length === 0 &&
    type.getCallSignatures().length === 0 &&
    type.getConstructSignatures().length === 0;

  const withoutUndefined = (type: ts.Type): ts.Type[] =>
    type.flags & ts.TypeFlags.Union ? (type as ts.UnionType).types.filter((t) => !(t.flags & ts.TypeFlags.Undefined)) : [type];

  const print = (type: ts.Type, indent: string, top = false): string => {
    if (!top) {
      const name = nameOf(type);
      if (name) return name;
    }
    const f = type.flags;
    if (f & ts.TypeFlags.StringLiteral) return quote((type as ts.StringLiteralType).value);
    if (f & (ts.TypeFlags.NumberLiteral | ts.TypeFlags.BooleanLiteral)) return checker.typeToString(type);
    if (f & (ts.TypeFlags.String | ts.TypeFlags.Number | ts.TypeFlags.Boolean | ts.TypeFlags.BigInt | ts.TypeFlags.Null | ts.TypeFlags.Undefined)) return checker.typeToString(type);
    if (f & (ts.TypeFlags.Unknown | ts.TypeFlags.Any | ts.TypeFlags.Never | ts.TypeFlags.Void | ts.TypeFlags.NonPrimitive)) return checker.typeToString(type);
    if (f & (ts.TypeFlags.TemplateLiteral | ts.TypeFlags.StringMapping)) return checker.typeToString(type);
    if (f & ts.TypeFlags.Union) return union((type as ts.UnionType).types, indent);
    if (f & ts.TypeFlags.Intersection) {
      const parts = (type as ts.IntersectionType).types.filter((t) => !isEmptyObject(t));
      if (parts.length === 1) return print(parts[0]!, indent);
      if (parts.every((t) => t.flags & ts.TypeFlags.Object && !nameOf(t))) return object(type, indent);
      return parts.map((t) => member(t, indent)).join(' & ');
    }
    if (f & ts.TypeFlags.Object) {
      if (checker.isArrayType(type)) {
        const [element] = checker.getTypeArguments(type as ts.TypeReference);
        const readonly = (type as ts.TypeReference).target.symbol?.name === 'ReadonlyArray' ? 'readonly ' : '';
        return `${readonly}${member(element!, indent)}[]`;
      }
      if (checker.isTupleType(type)) return `[${checker.getTypeArguments(type as ts.TypeReference).map((t) => print(t, indent)).join(', ')}]`;
      return object(type, indent);
    }
    throw new Error(`cannot print the type ${checker.typeToString(type)}`);
  };

  /** A member of a union, intersection or array: parenthesised when it is a union or intersection itself. */
  const member = (type: ts.Type, indent: string): string => {
    const text = print(type, indent);
    return !nameOf(type) && type.flags & (ts.TypeFlags.Union | ts.TypeFlags.Intersection) && !(type.flags & ts.TypeFlags.Boolean) ? `(${text})` : text;
  };

  const union = (types: readonly ts.Type[], indent: string): string => {
    const out: string[] = [];
    for (const t of types) {
      if (t.flags & ts.TypeFlags.BooleanLiteral && types.some((o) => o !== t && o.flags & ts.TypeFlags.BooleanLiteral)) {
        if (!out.includes('boolean')) out.push('boolean');
      } else out.push(member(t, indent));
    }
    return out.join(' | ');
  };

  const object = (type: ts.Type, indent: string): string => {
    if (type.getCallSignatures().length || type.getConstructSignatures().length) throw new Error(`cannot print a function type: ${checker.typeToString(type)}`);
    const inner = `${indent}  `;
    const lines: string[] = [];
    for (const info of checker.getIndexInfosOfType(type)) {
      lines.push(`${inner}${info.isReadonly ? 'readonly ' : ''}[key: ${print(info.keyType, inner)}]: ${print(info.type, inner)};\n`);
    }
    for (const prop of checker.getPropertiesOfType(type)) {
      const optional = (prop.flags & ts.SymbolFlags.Optional) !== 0;
      const propType = checker.getTypeOfSymbol(prop);
      const text = optional ? union(withoutUndefined(propType), inner) || 'undefined' : print(propType, inner);
      const readonly = prop.declarations?.some((d) => ts.getCombinedModifierFlags(d) & ts.ModifierFlags.Readonly) ? 'readonly ' : '';
      const key = IDENTIFIER.test(prop.name) ? prop.name : quote(prop.name);
      lines.push(`${docOf(prop, inner)}${inner}${readonly}${key}${optional ? '?' : ''}: ${text};\n`);
    }
    return lines.length === 0 ? '{}' : `{\n${lines.join('')}${indent}}`;
  };

  /** The comment above the first statement after the imports is the module's, not its type's. */
  const opensItsFile = (symbol: ts.Symbol) =>
    symbol.declarations?.some((d) => d.getSourceFile().statements.find((st) => !ts.isImportDeclaration(st)) === (d as ts.Node)) === true;

  const blocks: string[] = [];
  for (let i = 0; i < queue.length; i++) {
    const { name, symbol, type } = queue[i]!;
    blocks.push(`${opensItsFile(symbol) ? '' : docOf(symbol, '')}export type ${name} = ${print(type, '', true)};\n`);
  }
  const text = `// Generated from the agent's types (src/client-types.ts) by \`npm run catalog\`; do not edit.
// The objects and answers of the agent's API, written out so that they import nothing.
${blocks.join('\n')}`;
  return { text, surface };
}
