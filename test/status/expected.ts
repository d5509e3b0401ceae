// The legacy interface_status of test/reference/mwan3/ubus-mwan3-status.json, spelled out
// once by hand (not computed by the code under test), for every test that checks it.

export const SAMPLE_LEGACY_INTERFACES = {
  wan: {
    running: true,
    score: 20,
    lost: 0,
    status: 'online',
    age: 3,
    turn: 0,
    track_ip: [
      { status: 'up', latency: 12, packetloss: 0, ip: '1.1.1.1' },
      { status: 'up', latency: 15, packetloss: 0, ip: '8.8.8.8' },
    ],
  },
  wanb: {
    running: true,
    score: 0,
    lost: 57,
    status: 'offline',
    age: 2,
    turn: 1,
    track_ip: [
      { status: 'down', latency: 0, packetloss: 100, ip: '1.1.1.1' },
      { status: 'down', latency: 0, packetloss: 100, ip: '208.67.222.222' },
    ],
  },
  wan6: { running: false, score: 0, lost: 0, status: 'unknown', age: 0, turn: 0, track_ip: [] },
};

export const SAMPLE_CONNECTED = {
  ipv4: ['10.0.3.0/24', '192.168.56.0/24', '127.0.0.0/8', '224.0.0.0/3'],
  ipv6: ['fe80::/64'],
};

/** An interface of the mwan3 config as status shows it without ubus: nothing known yet. */
export const unknownInterface = (...trackIps: string[]) => ({
  running: false,
  score: 0,
  lost: 0,
  status: 'unknown',
  age: 0,
  turn: 0,
  track_ip: trackIps.map((ip) => ({ status: 'unknown', latency: 0, packetloss: 0, ip })),
});
