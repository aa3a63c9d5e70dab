export { checkSubgraph, describe, Federation, SubgraphContractError, subgraphClient, type FederationOptions, type SubgraphStatus } from './federation.js';
export { MAX_RESPONSE_BYTES, type SubgraphFailureKind, type SubgraphObserver } from './subgraph-client.js';
