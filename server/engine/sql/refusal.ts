/** A query the rules do not allow; the message names the table, column or construct and the rule. */
export class QueryRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QueryRefusal";
  }
}

export const refuse = (message: string): never => {
  throw new QueryRefusal(message);
};
