import { types, type PGlite, type Transaction } from "@electric-sql/pglite";

// Drizzle passes PGlite, with every statement, parsers that hand dates, timestamps and intervals
// back as the text PostgreSQL sent. PGlite merges such per-query parsers into its own table of
// about 300 types on every statement, which costs more than a simple statement itself (0.19 ms of
// 0.34 here). So the embedded store's client has those parsers in its own table from the start,
// and a per-query table that asks for nothing else is dropped before it reaches PGlite: the rows
// come back exactly as they did, at half the cost of a statement.

const TEXT_AS_IS = [types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL, types.DATE, 1231, 1115, 1185, 1187, 1182];
const asIs = (value: string) => value;

type Query = PGlite["query"];
type QueryOptions = Parameters<Query>[2];

// Each of Drizzle's statements has its own options object; each is checked once.
const redundant = new WeakSet<object>();

/** Whether a per-query parser table only repeats the client's own (text as it came, for these types). */
function repeatsOwn(parsers: NonNullable<QueryOptions>["parsers"]): boolean {
  if (!parsers) return true;
  if (redundant.has(parsers)) return true;
  const sentinel = "1970-01-01 00:00:00";
  const same = Object.entries(parsers).every(([oid, parse]) => TEXT_AS_IS.includes(Number(oid)) && parse(sentinel, Number(oid)) === sentinel);
  if (same) redundant.add(parsers);
  return same;
}

function lean(query: Query, target: object): Query {
  return ((text: string, params?: unknown[], options?: QueryOptions) => {
    if (options?.parsers && repeatsOwn(options.parsers)) return query.call(target, text, params, { ...options, parsers: undefined });
    return query.call(target, text, params, options);
  }) as Query;
}

/** The client Drizzle is given: the same PGlite, whose statements skip the redundant parser merge. */
export async function withTextParsers(client: PGlite): Promise<PGlite> {
  // Once it is ready: PGlite sets the parsers of array types as it starts.
  await client.waitReady;
  for (const oid of TEXT_AS_IS) client.parsers[oid] = asIs;
  const query = lean(client.query, client);
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === "query") return query;
      if (property === "transaction")
        return <T>(run: (tx: Transaction) => Promise<T>) => target.transaction((tx) => run(Object.assign(Object.create(tx) as Transaction, { query: lean(tx.query, tx) })));
      const value = Reflect.get(target, property, receiver);
      // PGlite's methods use private fields: they run on the client itself, not on this proxy.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
