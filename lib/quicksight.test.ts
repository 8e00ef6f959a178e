import { expect, it } from "vitest";
import { quicksightDashboardUrl } from "./quicksight";

it("accepts https QuickSight dashboard links only", () => {
  expect(quicksightDashboardUrl(" https://us-east-1.quicksight.aws.amazon.com/sn/dashboards/1a2b-3c4d ")).toBe("https://us-east-1.quicksight.aws.amazon.com/sn/dashboards/1a2b-3c4d");
  expect(quicksightDashboardUrl("https://quicksight.aws.amazon.com/sn/account/acme/dashboards/abc-123?directory_alias=acme")).toBe(
    "https://quicksight.aws.amazon.com/sn/account/acme/dashboards/abc-123?directory_alias=acme",
  );
  for (const bad of [
    "http://us-east-1.quicksight.aws.amazon.com/sn/dashboards/x",
    "https://quicksight.aws.amazon.com.evil.example/sn/dashboards/x",
    "https://evil.example/?https://quicksight.aws.amazon.com/sn/dashboards/x",
    "https://user:pass@quicksight.aws.amazon.com/sn/dashboards/x",
    "https://quicksight.aws.amazon.com/sn/analyses/x",
    "javascript:alert(1)",
    "not a url",
  ]) {
    expect(quicksightDashboardUrl(bad), bad).toBeNull();
  }
});
