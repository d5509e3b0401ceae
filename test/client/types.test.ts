// The client package's types (packages/client/src/types.ts) are the agent's own, written out:
// the file is what `npm run catalog` prints, and each type is identical to the agent's (tsc
// checks the assertions below, so a drift fails `npm test` at its first step).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type * as Client from '../../packages/client/src/types.js';
import { CLIENT_TYPES_FILE, clientTypes } from '../../scripts/client-types.js';
import type * as Agent from '../../src/client-types.js';

/** True only when A and B are the same type (optional, readonly and all). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const same = <A, B>(ok: Equal<A, B>) => ok;

// Every type the agent's surface exports, compared with the client's (the test below checks the
// list is complete; the types these use are compared through them).
const checks = {
  FirewallForwarding: same<Client.FirewallForwarding, Agent.FirewallForwarding>(true),
  FirewallRedirect: same<Client.FirewallRedirect, Agent.FirewallRedirect>(true),
  FirewallRule: same<Client.FirewallRule, Agent.FirewallRule>(true),
  FirewallZone: same<Client.FirewallZone, Agent.FirewallZone>(true),
  IpsecConnection: same<Client.IpsecConnection, Agent.IpsecConnection>(true),
  IpsecProposal: same<Client.IpsecProposal, Agent.IpsecProposal>(true),
  IpsecRemote: same<Client.IpsecRemote, Agent.IpsecRemote>(true),
  Mwan3Interface: same<Client.Mwan3Interface, Agent.Mwan3Interface>(true),
  Mwan3Member: same<Client.Mwan3Member, Agent.Mwan3Member>(true),
  Mwan3Policy: same<Client.Mwan3Policy, Agent.Mwan3Policy>(true),
  Mwan3Rule: same<Client.Mwan3Rule, Agent.Mwan3Rule>(true),
  Mwan3SlaPolicy: same<Client.Mwan3SlaPolicy, Agent.Mwan3SlaPolicy>(true),
  SlaMemberStatus: same<Client.SlaMemberStatus, Agent.SlaMemberStatus>(true),
  SlaPolicyStatus: same<Client.SlaPolicyStatus, Agent.SlaPolicyStatus>(true),
  Nat: same<Client.Nat, Agent.Nat>(true),
  NetworkApplication: same<Client.NetworkApplication, Agent.NetworkApplication>(true),
  NetworkRoute: same<Client.NetworkRoute, Agent.NetworkRoute>(true),
  NetworkRule: same<Client.NetworkRule, Agent.NetworkRule>(true),
  NetworkFirewallRule: same<Client.NetworkFirewallRule, Agent.NetworkFirewallRule>(true),
  WireguardPeer: same<Client.WireguardPeer, Agent.WireguardPeer>(true),
  WireguardTunnel: same<Client.WireguardTunnel, Agent.WireguardTunnel>(true),
  WireguardTunnelStatus: same<Client.WireguardTunnelStatus, Agent.WireguardTunnelStatus>(true),
  AgentEvent: same<Client.AgentEvent, Agent.AgentEvent>(true),
  ConfigEventData: same<Client.ConfigEventData, Agent.ConfigEventData>(true),
  EventDataOf: same<Client.EventDataOf, Agent.EventDataOf>(true),
  EventType: same<Client.EventType, Agent.EventType>(true),
  IpsecEventData: same<Client.IpsecEventData, Agent.IpsecEventData>(true),
  ReloadEventData: same<Client.ReloadEventData, Agent.ReloadEventData>(true),
  WanEventData: same<Client.WanEventData, Agent.WanEventData>(true),
  ChangeSet: same<Client.ChangeSet, Agent.ChangeSet>(true),
  ChangeSetAnswer: same<Client.ChangeSetAnswer, Agent.ChangeSetAnswer>(true),
  ChangeSetRequest: same<Client.ChangeSetRequest, Agent.ChangeSetRequest>(true),
  DryRunResult: same<Client.DryRunResult, Agent.DryRunResult>(true),
  Message: same<Client.Message, Agent.Message>(true),
  ServiceAction: same<Client.ServiceAction, Agent.ServiceAction>(true),
  ServiceList: same<Client.ServiceList, Agent.ServiceList>(true),
  ConntrackEntry: same<Client.ConntrackEntry, Agent.ConntrackEntry>(true),
  InterfaceStatus: same<Client.InterfaceStatus, Agent.InterfaceStatus>(true),
  RouteStatus: same<Client.RouteStatus, Agent.RouteStatus>(true),
  RuleEntry: same<Client.RuleEntry, Agent.RuleEntry>(true),
  ServiceName: same<Client.ServiceName, Agent.ServiceName>(true),
  IpsecModuleStatus: same<Client.IpsecModuleStatus, Agent.IpsecModuleStatus>(true),
  IpsecRemoteDetail: same<Client.IpsecRemoteDetail, Agent.IpsecRemoteDetail>(true),
  RemoteStatus: same<Client.RemoteStatus, Agent.RemoteStatus>(true),
  Mwan3InterfaceStatus: same<Client.Mwan3InterfaceStatus, Agent.Mwan3InterfaceStatus>(true),
  NetworkInterface: same<Client.NetworkInterface, Agent.NetworkInterface>(true),
  NetworkInterfaceUses: same<Client.NetworkInterfaceUses, Agent.NetworkInterfaceUses>(true),
  ResourceTypes: same<Client.ResourceTypes, Agent.ResourceTypes>(true),
  ServiceRecord: same<Client.ServiceRecord, Agent.ServiceRecord>(true),
  StatusModules: same<Client.StatusModules, Agent.StatusModules>(true),
};

describe('the client package types', () => {
  const generated = clientTypes();

  it(`${CLIENT_TYPES_FILE} is what \`npm run catalog\` writes from src/client-types.ts`, () => {
    expect(readFileSync(CLIENT_TYPES_FILE, 'utf8')).toBe(generated.text);
  });

  it('compares every type of src/client-types.ts, each written once', () => {
    expect([...generated.surface].sort()).toEqual(Object.keys(checks).sort());
    for (const name of generated.surface) expect(generated.text.match(new RegExp(`^export type ${name} = `, 'gm')), name).toHaveLength(1);
  });
});
