// Runs test files on one local Redis Cluster started once, instead of one
// cluster per file (six nodes take seconds to start and to agree): each
// file empties it first and after (RedisCluster with
// CHATD_TEST_CLUSTER_BASE). Stops the cluster whatever the tests did.
//   node tests/integration/with-cluster.mjs FILE...
import { spawn } from 'node:child_process';
import { RedisCluster } from './harness.mjs';

const cluster = await new RedisCluster().start();
let code = 1;
try {
  code = await new Promise((resolve) => {
    const p = spawn(process.execPath, ['--test', '--test-concurrency=1', ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, CHATD_TEST_REDIS: 'cluster', CHATD_TEST_CLUSTER_BASE: String(cluster.base) },
    });
    p.once('exit', (c, sig) => resolve(sig ? 1 : c));
  });
} finally {
  await cluster.destroy();
}
process.exit(code);
