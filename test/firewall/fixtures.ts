import { readFileSync } from 'node:fs';
import { parseUci, serializeUci } from '../../src/uci/index.js';

/**
 * test/reference/openwrt/firewall.default, OpenWRT's stock firewall config, as `uci commit`
 * writes it (without its comments), so that the sections a write leaves alone compare byte
 * for byte.
 */
export const STOCK_FIREWALL = serializeUci(parseUci(readFileSync('test/reference/openwrt/firewall.default'), 'firewall'));

/** A network config with the stock interfaces and the CNF's. */
export const NETWORK = [
  ...['loopback', 'lan', 'wan', 'wan6', 'lan0', 'wan0', 'ovn_net1', 'ovn_net2'].map((n) => `config interface '${n}'\n\toption proto 'static'\n`),
  "config device\n\toption name 'br-lan'\n",
  "config globals 'globals'\n\toption ula_prefix 'fd00::/48'\n",
].join('\n');

/** The stock firewall with more sections (UCI text) appended. */
export const firewallWith = (...sections: string[]) => STOCK_FIREWALL + sections.map((s) => `${s}\n\n`).join('');

/** The files of a box with the stock firewall (or `firewall`) and NETWORK. */
export const stockFiles = (firewall = STOCK_FIREWALL) => ({ firewall, network: NETWORK });
