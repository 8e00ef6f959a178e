// The V8 flags the console's and the local cloud's processes run with: npm start (and so the
// end-to-end suite), npm run local-cloud (its script in package.json names the same flags), and
// the benchmarks' servers.
//
// Why: every read from a socket is a new buffer that V8 counts as external memory, and V8 counts
// the external memory allocated since its last full collection against the old generation's
// limit, even when those buffers are already garbage waiting for the next young collection. With
// the few tens of megabytes a server's heap holds, the limit's slack is 20-30 MB, so an upload at
// 200 MB/s started a full mark of the heap every 100-150 ms (40-60 per gigabyte, each a pause
// of the event loop and marking on V8's helper threads: 1-2 s of CPU per gigabyte, on a machine
// whose two cores the upload's client shares; docs/benchmarks.md). A floor of 256 MB under the
// limit leaves that slack to the young collections, which free those buffers; it costs at most
// that much garbage kept a little longer, and the memory reducer still collects an idle process.
export const serverNodeFlags = ["--initial-old-space-size=256"];
