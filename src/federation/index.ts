export { checkSubgraph, describe, Federation, SubgraphContractError, subgraphClient, type FederationOptions, type SubgraphStatus } from './federation.js';
export { isSubgraphUnavailable } from './entity-batcher.js';
export { MAX_RESPONSE_BYTES, type SubgraphFailureKind, type SubgraphObserver } from './subgraph-client.js';
