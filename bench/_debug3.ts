import { profileOperations } from './profiles.js';
const p = await profileOperations({ dialects: ['sqlite'], seconds: Number(process.argv[2] ?? 5), databaseName: 'x', log: console.error });
for (const x of p) { console.log(x.operation, Math.round(x.requestsPerSecond), x.summary.busyMs); console.table(x.summary.packages); console.table(x.summary.functions); }
