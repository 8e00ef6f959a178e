import type { AnalysisRuleType, ConfiguredTableRulePolicy } from "@/lib/analysis-rules";
import type { SensitivityParameters } from "@/server/engine/privacy/mechanism";
// The stored bodies of Clean Rooms resources. Field names follow the API.

export type MemberAbility = "CAN_QUERY" | "CAN_RECEIVE_RESULTS" | "CAN_RUN_JOB";
export type MemberStatus = "INVITED" | "ACTIVE" | "LEFT" | "REMOVED";

export interface CollaborationMember {
  accountId: string;
  displayName: string;
  abilities: MemberAbility[];
  mlAbilities?: unknown;
  paymentConfiguration?: unknown;
  status: MemberStatus;
  membershipId?: string;
  membershipArn?: string;
  createTime: string;
  updateTime: string;
}

export interface CollaborationBody {
  region: string;
  description: string;
  creatorDisplayName: string;
  queryLogStatus: string;
  jobLogStatus?: string;
  dataEncryptionMetadata?: Record<string, boolean>;
  analyticsEngine?: string;
  autoApprovedChangeRequestTypes?: string[];
  allowedResultRegions?: string[];
  isMetricsEnabled?: boolean;
  members: CollaborationMember[];
}

export interface MembershipBody {
  region: string;
  status: "ACTIVE" | "REMOVED" | "COLLABORATION_DELETED";
  queryLogStatus: string;
  jobLogStatus?: string;
  defaultResultConfiguration?: Record<string, unknown>;
  defaultJobResultConfiguration?: Record<string, unknown>;
  paymentConfiguration: Record<string, unknown>;
  isMetricsEnabled?: boolean;
}

export type { AnalysisRuleType } from "@/lib/analysis-rules";

/** A rule as stored: a configured table's policy, or a collaboration rule's (an association's). */
export interface StoredRule<P = Record<string, unknown>> {
  policy: P;
  createTime: string;
  updateTime: string;
}

export interface ConfiguredTableBody {
  region: string;
  description?: string;
  tableReference: { glue: { databaseName: string; tableName: string; region?: string } };
  allowedColumns: string[];
  analysisMethod: string;
  selectedAnalysisMethods?: string[];
  analysisRules: Partial<Record<AnalysisRuleType, StoredRule<ConfiguredTableRulePolicy>>>;
}

export interface AssociationBody {
  region: string;
  description?: string;
  configuredTableId: string;
  roleArn: string;
  analysisRules: Partial<Record<AnalysisRuleType, StoredRule>>;
}

export interface PrivacyBudgetTemplateBody {
  region: string;
  autoRefresh: "CALENDAR_MONTH" | "NONE";
  epsilon: number;
  usersNoisePerQuery: number;
}

export interface AnalysisTemplateBody {
  region: string;
  description?: string;
  format: string;
  source: Record<string, unknown>;
  sourceMetadata?: Record<string, unknown>;
  analysisParameters: { name: string; type: string; defaultValue?: string }[];
  schema: { referencedTables: string[] };
  errorMessageConfiguration?: Record<string, unknown>;
}

export type ProtectedQueryStatus = "SUBMITTED" | "STARTED" | "CANCELLING" | "CANCELLED" | "FAILED" | "SUCCESS" | "TIMED_OUT";

export interface ProtectedQueryBody {
  region: string;
  status: ProtectedQueryStatus;
  /** The principal who started it (an access key id, or an assumed role's session ARN): the queue is fair between them. */
  submittedBy?: string;
  sqlParameters: { queryString?: string; analysisTemplateArn?: string; parameters?: Record<string, string> };
  resultConfiguration: { outputConfiguration: { s3: { resultFormat: "CSV" | "PARQUET"; bucket: string; keyPrefix?: string } } };
  startedAt?: string;
  endedAt?: string;
  statistics?: { totalDurationInMillis: number };
  result?: { output: { s3: { location: string } } };
  error?: { code: string; message: string };
  /** For queries on differentially private tables: the bounds each aggregation used. */
  differentialPrivacy?: { sensitivityParameters: SensitivityParameters[] };
}
