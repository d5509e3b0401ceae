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
