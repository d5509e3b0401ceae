// The write path's door: the routes, the bootstrap and change sets use only these.
export { applyChange, commit, type ChangeDeps, type ChangeResult, type CommitTarget } from './apply.js';
export { type Change, type Plan } from './plan.js';
export { listText, readObject, type ReadDeps } from './read.js';
