import { aggregationLabels, expectedErrorAfter, formatEpsilon, selectionThreshold, type PrivacyBudgetView, type QueryPrivacyCost, type SensitivityParameter } from "@/lib/privacy";
import { formatNumber } from "@/lib/format";

// What differential privacy means for the analyst at the workbench: what is left of the
// collaboration's budget, what the query in the editor will spend and how noisy its columns will
// be, and, once it ran, the noise each column got.

export function BudgetPanel({ budget }: { budget: PrivacyBudgetView }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-3" aria-label="Privacy budget">
      <h2 className="font-medium">Privacy budget</h2>
      <p className="mt-1 text-xs text-slate-600">
        {formatEpsilon(budget.epsilon)} {budget.autoRefresh === "CALENDAR_MONTH" ? "each calendar month" : "in all"}; noise hides about {budget.usersNoisePerQuery} users per query.
      </p>
      <table className="mt-2 w-full text-xs">
        <caption className="sr-only">Aggregations left, by type</caption>
        <thead className="text-left text-slate-500">
          <tr>
            <th scope="col">Aggregation</th>
            <th scope="col" className="text-right">
              Left
            </th>
            <th scope="col" className="text-right">
              Of
            </th>
          </tr>
        </thead>
        <tbody>
          {budget.aggregations.map((a) => (
            <tr key={a.type} className="border-t border-slate-100">
              <td className="py-0.5">{aggregationLabels[a.type] ?? a.type}</td>
              <td className="py-0.5 text-right font-medium" data-testid={`budget-${a.type}`}>
                {formatNumber(a.remainingCount)}
              </td>
              <td className="py-0.5 text-right text-slate-600">{formatNumber(a.maxCount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="mt-1 text-xs text-slate-600">Counted as queries of that one aggregation without GROUP BY; grouping and more aggregations cost more.</p>
    </section>
  );
}

export function QueryCostView({ cost }: { cost: QueryPrivacyCost }) {
  return (
    <div className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm" data-testid="query-cost">
      <p>
        Spends <strong>{formatEpsilon(cost.epsilon)}</strong> ({cost.measurements} noisy measurements, each 1/{cost.usersNoisePerQuery} of ε).
        {cost.exceedsBudget && <span className="text-red-700"> The budget left cannot cover it.</span>}
      </p>
      <ul className="mt-1 list-disc pl-5 text-xs text-slate-700">
        {cost.aggregations.map((a) => (
          <li key={a.column}>
            <span className="font-mono">{a.column}</span> ({aggregationLabels[a.type]}): error {a.expectedError}
          </li>
        ))}
      </ul>
      {cost.groupThreshold !== null && (
        <p className="mt-1 text-xs text-slate-700">
          Which groups appear is decided privately: a group needs about {formatNumber(cost.groupThreshold)} users (more when users have several rows) to be shown.
        </p>
      )}
    </div>
  );
}

/** `grouped`: the result has group keys, so only groups with enough users (after noise) are in it. */
export function ResultNoise({ privacy, grouped }: { privacy: { usersNoisePerQuery: number; sensitivityParameters: SensitivityParameter[] }; grouped: boolean }) {
  const limit = privacy.sensitivityParameters[0]?.userContributionLimit ?? 1;
  return (
    <div className="text-xs text-slate-700" data-testid="result-noise">
      <p className="font-medium">Noise in this result</p>
      <ul className="list-disc pl-5">
        {privacy.sensitivityParameters.map((p, i) => {
          const error = expectedErrorAfter(p, privacy.usersNoisePerQuery);
          const range = p.maxColumnValue !== undefined ? `, values clamped to [${formatNumber(p.minColumnValue ?? 0)}, ${formatNumber(p.maxColumnValue)}]` : "";
          return (
            <li key={i}>
              <span className="font-mono">{p.aggregationExpression}</span>: {error !== null ? `typically within ±${formatNumber(Math.round(error))}` : "noisy"} (up to {p.userContributionLimit} rows
              per user
              {range})
            </li>
          );
        })}
      </ul>
      {grouped && <p>Groups with fewer than about {formatNumber(selectionThreshold(privacy.usersNoisePerQuery, limit))} users (after noise) are left out, so that no group reveals a few people.</p>}
    </div>
  );
}
