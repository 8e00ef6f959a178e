import type { TableRule } from "./analysis-rules";

// What the console shows of a configured table; plain data, safe to send to a browser.
export interface ConfiguredTableView {
  id: string;
  arn: string;
  name: string;
  description: string;
  /** The dataset it reads, when it reads one of the console's datasets. */
  dataset: string | null;
  /** The Glue table it reads, as `database.table`. */
  glueTable: string;
  allowedColumns: string[];
  createTime: string;
  rule: TableRule | null;
}
