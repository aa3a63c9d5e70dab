// The one place the examples reach into the gateway: its demo data generator, so that a reference
// subgraph seeded with it serves the very rows the gateway's embedded store holds after `npm run seed`.
export { demoRows } from '../../src/store/index.js';
