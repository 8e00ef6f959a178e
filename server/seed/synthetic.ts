import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";

// The demo's larger datasets: synthetic customers of the retailer (org-a) and of the marketing
// company (org-b), written as CSV by DuckDB. They share a customer key on purpose: org-a has
// customers 1…n, org-b has customers 0.4n+1…1.4n, so 60% of each side are in the other's list
// and joins mean something. Every attribute is a deterministic function of the customer id (a
// hash, not a random generator: the same demo every time), so one customer has the same age
// group and region in both files. Distributions are skewed as real ones are: most customers are
// 25 to 44, spend is log-normal, engagement roughly normal around 65.

/** A uniform number in (0, 1) drawn from the customer id and a salt. */
const uniform = (salt: string) => `((hash(id, '${salt}') % 1000000)::DOUBLE + 0.5) / 1000000`;
/** A standard normal number, by Box–Muller from two uniforms. */
const normal = (salt: string) => `sqrt(-2 * ln(${uniform(`${salt}-1`)})) * cos(2 * pi() * ${uniform(`${salt}-2`)})`;
/** One of `values`, chosen with the given weights (percentages summing to 100). */
function weighted(salt: string, choices: [string, number][]): string {
  let upTo = 0;
  const cases = choices.map(([value, weight]) => `WHEN ${uniform(salt)} < ${(upTo += weight) / 100} THEN '${value}'`);
  return `CASE ${cases.slice(0, -1).join(" ")} ELSE '${choices.at(-1)![0]}' END`;
}

const ageGroup = weighted("age", [
  ["18-24", 12],
  ["25-34", 27],
  ["35-44", 24],
  ["45-54", 17],
  ["55-64", 12],
  ["65+", 8],
]);
const region = weighted("region", [
  ["east", 28],
  ["west", 24],
  ["central", 20],
  ["north", 15],
  ["south", 13],
]);

const retailerSql = (n: number) => `
  SELECT id AS customer_id, ${ageGroup} AS age_group, ${region} AS region,
    round(exp(4.4 + 0.75 * ${normal("spend")}), 2) AS purchase_amount,
    ${weighted("category", [
      ["electronics", 22],
      ["clothing", 20],
      ["home", 16],
      ["grocery", 14],
      ["books", 10],
      ["beauty", 9],
      ["sports", 9],
    ])} AS product_category,
    DATE '2022-01-01' + CAST(floor(${uniform("registered")} * 1096) AS INTEGER) AS registration_date
  FROM (SELECT range AS id FROM range(1, ${n + 1}))`;

const marketerSql = (n: number) => `
  SELECT id AS customer_id, ${ageGroup} AS age_group, ${region} AS region,
    CAST(least(100, greatest(0, round(65 + 14 * ${normal("engagement")}))) AS INTEGER) AS engagement_score,
    ${weighted("channel", [
      ["email", 38],
      ["mobile", 30],
      ["social", 22],
      ["web", 10],
    ])} AS channel_preference,
    DATE '2024-01-01' + CAST(floor(${uniform("interaction")} * 366) AS INTEGER) AS last_interaction
  FROM (SELECT range AS id FROM range(${Math.floor(n * 0.4) + 1}, ${Math.floor(n * 1.4) + 1}))`;

/** Writes both organizations' synthetic customers (`n` each) as CSV files in a new temporary folder. */
export async function writeSyntheticCustomers(n: number): Promise<{ dir: string; retailer: string; marketer: string }> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "cleanrooms-demo-"));
  const retailer = path.join(dir, "customers_org_a.csv");
  const marketer = path.join(dir, "customers_org_b.csv");
  const instance = await DuckDBInstance.create(":memory:", { threads: "2" });
  const connection = await instance.connect();
  try {
    for (const [file, sql] of [
      [retailer, retailerSql(n)],
      [marketer, marketerSql(n)],
    ] as const) {
      await connection.run(`COPY (${sql} ORDER BY customer_id) TO '${file.replace(/'/g, "''")}' (HEADER, DELIMITER ',')`);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return { dir, retailer, marketer };
}
