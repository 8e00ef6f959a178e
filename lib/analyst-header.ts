// The header in which a caller that starts protected queries for several people under one
// credential (the console, for an organization's analysts) names the person, so that the local
// cloud's queue is fair between them as well as between members. It is only a label within the
// caller's own account: it orders that account's queries among themselves and nothing else.
export const ANALYST_HEADER = "x-cleanrooms-analyst";
