/**
 * The ICN controller's sample Mwan3Rule (test/reference/icn-samples/mwan3rule.yaml) as its
 * Go client sends it; test/mwan3/http.test.ts checks it against the YAML.
 */
export const SAMPLE_RULE = {
  name: 'sample',
  policy: 'balance1',
  src_ip: '10.10.10.10',
  src_port: '22',
  dest_ip: '10.10.10.1',
  dest_port: '1000',
  proto: 'udp',
  family: 'ipv4',
  sticky: '1',
  timeout: '200',
} as const;

/**
 * ICN's sample CNFRoute, CNFRouteRule and SdewanApplication (crd-ctrlr/src/config/samples) as
 * its Go client sends them: every field of the structs of crd-ctrlr/src/openwrt (route.go,
 * routerule.go, app.go), unset ones as "". The route struct has no `src`; the rule's `flag`
 * is the resource's `not`; an application's `iplist` is the pod IPs its selector finds, joined
 * with commas.
 */
export const SAMPLE_ROUTE = { name: 'cnfroute-sample', dst: '192.167.23.0/24', gw: '172.16.44.11', dev: 'net1', table: 'cnf' } as const;
export const SAMPLE_ROUTE_RULE = { name: 'cnfrouterule-sample1', src: '192.167.24.0/24', dst: '', flag: true, prio: '888', fwmark: '0x110', table: '40' } as const;
export const SAMPLE_APPLICATION = { name: 'sdewanapplication-sample', iplist: '10.244.0.7,10.244.0.8' } as const;
