// The ingest bench as a process of its own (see ingestBenchInFreshProcess): prints its result as
// one JSON line when done, after its servers have stopped.
import { ingestBench } from "./ingest";

ingestBench().then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
