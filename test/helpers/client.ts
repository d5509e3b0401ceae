// An agent process and the typed client logged in to it, started before the tests of the file
// (or describe block) that calls this and stopped after them.
import { afterAll, beforeAll } from 'vitest';
import { createClient, type SdewanClient } from '../../packages/client/src/index.js';
import { type Agent, startAgent } from './agent.js';

export interface AgentWithClient {
  agent: Agent;
  client: SdewanClient;
}

/** Registers the hooks; the object's fields are set once the agent is up. */
export function agentWithClient(): AgentWithClient {
  const started = {} as AgentWithClient;
  beforeAll(async () => {
    started.agent = await startAgent();
    started.client = createClient({ url: started.agent.url, password: started.agent.password });
  });
  afterAll(async () => {
    await started.client?.close();
    await started.agent?.stop();
  });
  return started;
}
