// npm run conformance:s3 -- <path to a checkout of github.com/ceph/s3-tests> [extra pytest args]
//
// Runs Ceph's S3 conformance tests against a fresh local cloud: org-a is the suite's main user,
// org-b its alt user, a third account its tenant. Only the features the product needs are in
// scope (see the lists below); the run prints the pass count, and writes the failures and
// pytest's whole output into the run's own temporary data directory, which it names. It needs python3 with boto3, pytest, munch, gevent,
// isodate, httplib2, lxml and pytz (Debian: python3-boto3 python3-pytest python3-munch …).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// Markers and names of features outside what a local cloud for clean rooms needs: IAM and STS,
// policies, lifecycle, logging, websites, server-side encryption, object lock, ACL grants,
// SigV2, S3 Select, storage classes, notifications.
const OUT_OF_SCOPE_MARKERS = [
  "abac_test",
  "appendobject",
  "auth_aws2",
  "bucket_policy",
  "bucket_encryption",
  "bucket_logging",
  "bucket_logging_cleanup",
  "cloud_transition",
  "cloud_restore",
  "encryption",
  "fails_on_aws",
  "fails_with_subdomain",
  "group",
  "group_policy",
  "iam_account",
  "iam_cross_account",
  "iam_role",
  "iam_tenant",
  "iam_user",
  "lifecycle",
  "lifecycle_expiration",
  "lifecycle_transition",
  "object_lock",
  "object_ownership",
  "role_policy",
  "session_policy",
  "s3select",
  "s3website",
  "s3website_routing_rules",
  "s3website_redirect_location",
  "sns",
  "sse_s3",
  "storage_class",
  "test_of_sts",
  "user_policy",
  "webidentity_test",
];
const OUT_OF_SCOPE_NAMES = [
  "acl",
  "policy",
  "lifecycle",
  "logging",
  "website",
  "sse",
  "encryption",
  "object_lock",
  "torrent",
  "accelerate",
  "ownership",
  "restore",
  "append",
  "select",
  "public_block",
  "access_bucket",
  "access_point",
  "request_payment",
  "notification",
  "storage_class",
];

// Tests that make a bucket or object public (a public-read or public-read-write canned ACL) or
// call anonymously as the public. The local cloud never makes an organization's data public: like
// S3 for every bucket created since April 2023 (ACLs disabled, Block Public Access on), it refuses
// public ACLs with S3's own errors, so these tests stop at their setup.
const NEEDS_PUBLIC_ACCESS = [
  "test_100_continue",
  "test_block_public_restrict_public_buckets",
  "test_bucket_list_objects_anonymous",
  "test_bucket_listv2_objects_anonymous",
  "test_cors_header_option",
  "test_cors_origin_response",
  "test_cors_origin_wildcard",
  "test_cors_presigned_get_object",
  "test_cors_presigned_get_object_tenant",
  "test_cors_presigned_get_object_v2",
  "test_cors_presigned_get_object_tenant_v2",
  "test_cors_presigned_put_object",
  "test_cors_presigned_put_object_tenant",
  "test_cors_presigned_put_object_v2",
  "test_cors_presigned_put_object_tenant_v2",
  "test_expected_bucket_owner",
  "test_list_multipart_upload_owner",
  "test_object_anon_put_write_access",
  "test_object_copy_not_owned_object_bucket",
  "test_object_delete_key_bucket_gone",
  "test_object_raw_authenticated",
  "test_object_raw_authenticated_bucket_gone",
  "test_object_raw_authenticated_object_gone",
  "test_object_raw_get",
  "test_object_raw_get_bucket_gone",
  "test_object_raw_get_object_gone",
  "test_object_raw_get_x_amz_expires_not_expired",
  "test_object_raw_get_x_amz_expires_not_expired_tenant",
  "test_object_raw_get_x_amz_expires_out_max_range",
  "test_object_raw_get_x_amz_expires_out_positive_range",
  "test_object_raw_get_x_amz_expires_out_range_zero",
  "test_post_object_anonymous_request",
  "test_post_object_authenticated_no_content_type",
  "test_post_object_authenticated_request_bad_access_key",
  "test_post_object_set_invalid_success_code",
  "test_post_object_set_success_code",
  "test_post_object_success_redirect_action",
  "test_post_object_tags_anonymous_request",
];

async function main() {
  const [suite, ...extra] = process.argv.slice(2);
  if (!suite || !fs.existsSync(path.join(suite, "s3tests", "functional", "test_s3.py"))) {
    console.error("usage: npm run conformance:s3 -- <path to a checkout of ceph/s3-tests> [pytest args]");
    process.exit(2);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "conformance-s3-"));
  process.env.DATA_DIR = dataDir;
  process.env.LOG_LEVEL = "error";
  const { openDatabase, setProcessDatabase } = await import("../server/db/client");
  const { seedDemo } = await import("../server/seed/demo");
  const { startLocalCloud } = await import("../server/local-cloud/server");
  const { accessKeyForAccount, createAccessKey } = await import("../server/local-keys/access-keys");
  await setProcessDatabase(await openDatabase({ pgliteDir: "memory://" }));
  await seedDemo();
  const cloud = await startLocalCloud({ port: 0 });
  const user = async (accountId: string, create = false) => {
    const key = create ? await createAccessKey({ accountId }) : await accessKeyForAccount({ accountId });
    return `display_name = ${accountId}\nuser_id = ${accountId}\nemail = ${accountId}@example.com\naccess_key = ${key.accessKeyId}\nsecret_key = ${key.secretAccessKey}\n`;
  };
  const tenant = await user("333333333333", true);
  const config = [
    `[DEFAULT]\nhost = 127.0.0.1\nport = ${cloud.port}\nis_secure = False\nssl_verify = False\n`,
    `[fixtures]\nbucket prefix = conformance-{random}-\n`,
    // No api_name: that is Ceph's zonegroup name; on AWS, us-east-1 has no location constraint.
    `[s3 main]\n${await user("111111111111")}`,
    `[s3 alt]\n${await user("222222222222")}`,
    `[s3 tenant]\n${tenant}tenant = tenant\n`,
    `[iam]\n${tenant}`,
    `[iam root]\n${tenant}`,
    `[iam alt root]\n${tenant}`,
  ].join("\n");
  const configFile = path.join(dataDir, "s3tests.conf");
  fs.writeFileSync(configFile, config);
  const args = [
    "-m",
    "pytest",
    "s3tests/functional/test_s3.py",
    "s3tests/functional/test_headers.py",
    "-q",
    "-p",
    "no:cacheprovider",
    "-rfE",
    "-m",
    OUT_OF_SCOPE_MARKERS.map((m) => `not ${m}`).join(" and "),
    "-k",
    OUT_OF_SCOPE_NAMES.map((n) => `not ${n}`).join(" and "),
    ...NEEDS_PUBLIC_ACCESS.flatMap((name) => ["--deselect", `s3tests/functional/test_s3.py::${name}`]),
    ...extra,
  ];
  const output: string[] = [];
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.env.CONFORMANCE_PYTHON || "/usr/bin/python3", args, { cwd: suite, env: { ...process.env, S3TEST_CONF: configFile } });
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.on("close", (exit) => resolve(exit ?? 1));
  });
  await cloud.close();
  const text = output.join("");
  fs.writeFileSync(path.join(dataDir, "conformance-s3-output.txt"), text);
  fs.writeFileSync(
    path.join(dataDir, "conformance-s3-failures.txt"),
    text
      .split("\n")
      .filter((l) => l.startsWith("FAILED") || l.startsWith("ERROR"))
      .join("\n"),
  );
  const summary = /^.*\d+ passed.* in [\d.]+s.*$/m.exec(text)?.[0] ?? text.split("\n").slice(-5).join("\n");
  const count = (word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(summary)?.[1] ?? 0);
  // A test whose fixture failed (an error) did not pass either.
  const [passed, failed] = [count("passed"), count("failed") + count("errors?")];
  console.log(`S3 conformance (ceph/s3-tests, in scope): ${passed} passed, ${failed} failed (${passed + failed ? ((100 * passed) / (passed + failed)).toFixed(1) : 0}%)`);
  console.log(`pytest: ${summary}`);
  console.log(`failures: ${path.join(dataDir, "conformance-s3-failures.txt")} (pytest's output beside it)`);
  await setProcessDatabase(undefined);
  process.exit(code === 0 || code === 1 ? 0 : code);
}

main().catch((error: Error) => {
  console.error(`conformance:s3: ${error.message}`);
  process.exit(1);
});
