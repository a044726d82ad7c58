// Types of cluster-key-slot (ioredis' own dependency, pinned in package.json): the Redis Cluster
// hash slot of a key (its hash tag's when it has one).
declare module 'cluster-key-slot' {
  function calculateSlot(key: string | Buffer): number;
  namespace calculateSlot {
    function generateMulti(keys: (string | Buffer)[]): number;
  }
  export default calculateSlot;
}
