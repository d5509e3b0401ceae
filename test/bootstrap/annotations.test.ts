import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BootstrapInputError,
  NFN_NETWORK_ANNOTATION,
  nfnInterfacesFromFile,
  parseAnnotationsFile,
  parseNfnNetwork,
  unquoteGo,
} from '../../src/bootstrap/annotations.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => readFileSync(path.join(fixtures, name), 'utf8');

/**
 * Go's strconv.Quote, as kubelet applies it (`%q`) to each annotation value: `"` and `\`
 * escaped, \a \b \f \n \r \t \v, other unprintable runes as \xHH (below U+0080), \uHHHH or
 * \UHHHHHHHH; printable runes (letters, marks, numbers, punctuation, symbols, ASCII space) as is.
 */
function goQuote(s: string): string {
  const named: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) out += ch;
    else if (named[ch]) out += named[ch];
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

describe('unquoteGo (the inverse of Go %q)', () => {
  it.each([
    [String.raw`""`, ''],
    [String.raw`"plain"`, 'plain'],
    [String.raw`"say \"hi\""`, 'say "hi"'],
    [String.raw`"C:\\dir\\file"`, 'C:\\dir\\file'],
    [String.raw`"a\nb\tc\rd"`, 'a\nb\tc\rd'],
    [String.raw`"\a\b\f\v"`, '\x07\b\f\v'],
    [String.raw`"\x00\x01\x7f"`, '\x00\x01\x7f'],
    [String.raw`"nbsp\u00a0bom\ufeff"`, 'nbsp\u00a0bom\ufeff'],
    [String.raw`"\U0001f600 and 😀"`, '😀 and 😀'],
    [String.raw`"ünïcödé"`, 'ünïcödé'],
    [String.raw`"\303\274"`, 'ü'],
    [String.raw`"\xc3\xbc"`, 'ü'],
    [String.raw`"bad byte \xff"`, 'bad byte \ufffd'],
  ])('%s', (literal, value) => {
    expect(unquoteGo(literal)).toBe(value);
  });

  it.each([
    ['unquoted', /not a double-quoted string/],
    ['"open', /not a double-quoted string/],
    [String.raw`"a"b"`, /unescaped '"'/],
    [String.raw`"ends\"`, /not a double-quoted string|lone backslash/],
    [String.raw`"\q"`, /unknown escape \\q/],
    [String.raw`"\x4"`, /bad escape/],
    [String.raw`"\ud800"`, /not a valid character/],
  ])('refuses %s', (literal, message) => {
    expect(() => unquoteGo(literal)).toThrow(message);
  });

  it('round-trips every string kubelet can quote', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite' }), fc.string({ unit: 'binary' }), (a, b) => {
        const s = a + b;
        // Lone surrogates cannot be annotation values (Kubernetes strings are UTF-8).
        fc.pre(!/\p{Cs}/u.test(s));
        expect(unquoteGo(goQuote(s))).toBe(s);
      }),
    );
  });
});

describe('parseAnnotationsFile', () => {
  it('reads the ICN chart pod annotations as kubelet writes them', () => {
    const map = parseAnnotationsFile(fixture('icn-chart-two-interfaces.annotations'));
    expect([...map.keys()]).toEqual([
      NFN_NETWORK_ANNOTATION,
      'k8s.plugin.opnfv.org/ovnInterfaces',
      'k8s.v1.cni.cncf.io/networks',
      'kubernetes.io/config.seen',
      'kubernetes.io/config.source',
    ]);
    expect(map.get(NFN_NETWORK_ANNOTATION)).toBe(
      [
        '{ "type": "ovn4nfv", "interface": [',
        '  {',
        '    "defaultGateway": "false",',
        '    "interface": "net2",',
        '    "ipAddress": "10.10.10.89",',
        '    "name": "pnetwork"',
        '  },',
        '  {',
        '    "defaultGateway": "false",',
        '    "interface": "net0",',
        '    "ipAddress": "172.16.30.89",',
        '    "name": "ovn-network"',
        '  }',
        ']}',
      ].join('\n'),
    );
    expect(map.get('k8s.v1.cni.cncf.io/networks')).toBe('[{ "name": "ovn4nfv-k8s-plugin"}]');
    expect(map.get('kubernetes.io/config.source')).toBe('api');
  });

  it('accepts a trailing newline, CRLF line ends and empty lines', () => {
    const map = parseAnnotationsFile('a="1"\r\n\nb="x=y"\n');
    expect([...map]).toEqual([
      ['a', '1'],
      ['b', 'x=y'],
    ]);
  });

  it.each([
    ['no-equals-sign', /line 1: expected key="value"/],
    ['a="1"\n="2"', /line 2: expected key="value"/],
    ['a="1"\nb=2', /line 2 \(b\): value is not a double-quoted string/],
    ['a="1"\na="2"', /line 2: annotation a appears twice/],
    ['a b="1"', /contains white space/],
    ['a="\\z"', /line 1 \(a\): unknown escape/],
  ])('refuses %j', (text, message) => {
    expect(() => parseAnnotationsFile(text)).toThrow(BootstrapInputError);
    expect(() => parseAnnotationsFile(text)).toThrow(message);
  });
});

describe('the nfn-network annotation', () => {
  it('gives the two interfaces of the ICN chart', () => {
    expect(nfnInterfacesFromFile(fixture('icn-chart-two-interfaces.annotations'))).toEqual([
      { name: 'pnetwork', interface: 'net2', ipAddress: '10.10.10.89', defaultGateway: false },
      { name: 'ovn-network', interface: 'net0', ipAddress: '172.16.30.89', defaultGateway: false },
    ]);
  });

  it('gives the interfaces of the ICN example without addresses', () => {
    expect(nfnInterfacesFromFile(fixture('icn-example-no-addresses.annotations'))).toEqual([
      { name: 'ovn-net1', interface: 'net1', defaultGateway: false },
      { name: 'ovn-net2', interface: 'net2', defaultGateway: false },
    ]);
  });

  it('keeps quotes and backslashes of the values exactly, through both quotings', () => {
    const nfn = {
      type: 'ovn4nfv',
      interface: [{ name: 'wan "primary" \\ path', interface: 'net0', ipAddress: '', defaultGateway: 'true', gateway: '10.0.0.1' }],
    };
    const line = `${NFN_NETWORK_ANNOTATION}=${goQuote(JSON.stringify(nfn, null, 2))}`;
    // What kubelet writes: JSON's \" and \\ escaped once more.
    expect(line).toContain(String.raw`\"name\": \"wan \\\"primary\\\" \\\\ path\"`);
    expect(nfnInterfacesFromFile(line)).toEqual([
      { name: 'wan "primary" \\ path', interface: 'net0', defaultGateway: true, gateway: '10.0.0.1' },
    ]);
  });

  it('accepts JSON booleans, CIDR addresses and IPv6', () => {
    const parsed = parseNfnNetwork(
      JSON.stringify({
        type: 'ovn4nfv',
        interface: [
          { name: 'a', interface: 'net0', ipAddress: '10.1.0.5/16', defaultGateway: true },
          { name: 'b', interface: 'eth0.100', ipAddress: 'fd00::5/64', defaultGateway: false },
        ],
      }),
    );
    expect(parsed.interface).toEqual([
      { name: 'a', interface: 'net0', ipAddress: '10.1.0.5/16', defaultGateway: true },
      { name: 'b', interface: 'eth0.100', ipAddress: 'fd00::5/64', defaultGateway: false },
    ]);
  });

  it.each([
    ['{', /is not valid JSON/],
    ['[]', /field \(top level\)/],
    ['{"interface": "net0"}', /field interface should be a list of interfaces/],
    ['{"interface": [{"name": "a"}]}', /field interface\.0\.interface should be a string/],
    ['{"interface": [{"name": "a", "interface": "a-very-long-device-name"}]}', /field interface\.0\.interface should be an interface name/],
    ['{"interface": [{"name": "a", "interface": "net0/1"}]}', /field interface\.0\.interface should be an interface name/],
    ['{"interface": [{"name": "", "interface": "net0"}]}', /field interface\.0\.name should not be empty/],
    ['{"interface": [{"name": "a", "interface": "net0", "ipAddress": "10.0.0.300"}]}', /field interface\.0\.ipAddress should be an IPv4 or IPv6 address/],
    ['{"interface": [{"name": "a", "interface": "net0", "ipAddress": "10.0.0.3/33"}]}', /field interface\.0\.ipAddress/],
    ['{"interface": [{"name": "a", "interface": "net0", "defaultGateway": "yes"}]}', /field interface\.0\.defaultGateway should be "true" or "false"/],
    ['{"interface": [{"name": "a", "interface": "net0"}, {"name": "b", "interface": "net0"}]}', /field interface\.1\.interface interface "net0" appears twice/],
  ])('refuses %s', (json, message) => {
    expect(() => parseNfnNetwork(json)).toThrow(BootstrapInputError);
    expect(() => parseNfnNetwork(json)).toThrow(message);
  });

  it('says so when the annotation is missing', () => {
    expect(() => nfnInterfacesFromFile('k8s.v1.cni.cncf.io/networks="[]"')).toThrow(/no k8s\.plugin\.opnfv\.org\/nfn-network annotation/);
  });
});
