// jssdk.mjs: the AWS SDK for JavaScript v3, unmodified, against `rootward serve` (jssdk_test.go
// starts it and passes ENDPOINT, ACCESS_KEY_ID, SECRET_ACCESS_KEY and ACCOUNT). Each check makes
// calls, then compares values of the parsed answer or the error's name and HTTP status with what
// AWS answers; the script prints one line per check and exits 1 when any failed.
import { IAMClient, CreateUserCommand, GetUserCommand, ListUsersCommand, CreatePolicyCommand, AttachUserPolicyCommand,
  ListAttachedUserPoliciesCommand, TagUserCommand, ListUserTagsCommand, DeleteUserCommand, CreateRoleCommand,
  SimulatePrincipalPolicyCommand, CreateVirtualMFADeviceCommand, GetAccountSummaryCommand } from "@aws-sdk/client-iam";
import { STSClient, GetCallerIdentityCommand, AssumeRoleCommand } from "@aws-sdk/client-sts";
import { OrganizationsClient, CreateOrganizationCommand, CreateAccountCommand, DescribeCreateAccountStatusCommand,
  ListAccountsCommand, ListRootsCommand, ListPoliciesCommand } from "@aws-sdk/client-organizations";
import { CloudTrailClient, LookupEventsCommand, CreateTrailCommand, StartLoggingCommand, GetTrailStatusCommand } from "@aws-sdk/client-cloudtrail";
import { EventBridgeClient, ListRulesCommand, PutRuleCommand, PutTargetsCommand, ListTargetsByRuleCommand,
  TestEventPatternCommand } from "@aws-sdk/client-eventbridge";
import { SNSClient, CreateTopicCommand, SubscribeCommand, ListSubscriptionsByTopicCommand, PublishCommand,
  GetTopicAttributesCommand } from "@aws-sdk/client-sns";
import { GuardDutyClient, CreateDetectorCommand, GetDetectorCommand, ListDetectorsCommand } from "@aws-sdk/client-guardduty";

const { ENDPOINT, ACCESS_KEY_ID, SECRET_ACCESS_KEY, ACCOUNT } = process.env;
const config = { region: "us-east-1", endpoint: ENDPOINT, maxAttempts: 1,
  credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY } };
const iam = new IAMClient(config), sts = new STSClient(config), org = new OrganizationsClient(config),
  ct = new CloudTrailClient(config), eb = new EventBridgeClient(config), sns = new SNSClient(config),
  gd = new GuardDutyClient(config);

let failed = 0;
function expect(cond, what) {
  if (!cond) throw new Error(what);
}
// check runs fn, which throws on a wrong answer.
async function check(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.name}: ${e.message}`);
  }
}
// refused runs fn, which must fail with the error name and HTTP status given.
async function refused(name, fn, code, status) {
  await check(name, async () => {
    try {
      await fn();
    } catch (e) {
      expect(e.name === code && e.$metadata?.httpStatusCode === status,
        `got ${e.name} (${e.$metadata?.httpStatusCode}) ${e.message}; want ${code} (${status})`);
      return;
    }
    throw new Error(`succeeded; want ${code}`);
  });
}

// STS and IAM (awsQuery, XML answers).
await check("sts GetCallerIdentity", async () => {
  const out = await sts.send(new GetCallerIdentityCommand({}));
  expect(out.Account === ACCOUNT && out.Arn === `arn:aws:iam::${ACCOUNT}:user/admin`, `got ${out.Account} ${out.Arn}`);
});
await check("iam CreateUser and GetUser", async () => {
  const out = await iam.send(new CreateUserCommand({ UserName: "js-alice", Path: "/js/", Tags: [{ Key: "team", Value: "security" }] }));
  expect(out.User.Arn === `arn:aws:iam::${ACCOUNT}:user/js/js-alice` && out.User.CreateDate instanceof Date,
    `CreateUser: ${JSON.stringify(out.User)}`);
  const got = await iam.send(new GetUserCommand({ UserName: "js-alice" }));
  expect(got.User.UserId === out.User.UserId && got.User.Tags?.[0]?.Value === "security", `GetUser: ${JSON.stringify(got.User)}`);
});
await refused("iam CreateUser twice", () => iam.send(new CreateUserCommand({ UserName: "js-alice" })), "EntityAlreadyExistsException", 409);
await refused("iam GetUser of nobody", () => iam.send(new GetUserCommand({ UserName: "nobody" })), "NoSuchEntityException", 404);
await refused("iam CreateUser with a bad name", () => iam.send(new CreateUserCommand({ UserName: "bad name!" })), "ValidationError", 400);
await check("iam ListUsers pages by Marker", async () => {
  for (let i = 0; i < 4; i++) await iam.send(new CreateUserCommand({ UserName: `js-u${i}` }));
  const names = [];
  let Marker;
  for (let pages = 0; pages < 10; pages++) {
    const out = await iam.send(new ListUsersCommand({ MaxItems: 2, Marker }));
    expect(out.Users.length <= 2, `a page of ${out.Users.length}`);
    names.push(...out.Users.map((u) => u.UserName));
    if (!out.IsTruncated) break;
    Marker = out.Marker;
  }
  expect(JSON.stringify(names) === JSON.stringify(["admin", "js-alice", "js-u0", "js-u1", "js-u2", "js-u3"]), `pages joined: ${names}`);
  const js = await iam.send(new ListUsersCommand({ PathPrefix: "/js/" }));
  expect(js.Users.length === 1 && js.Users[0].UserName === "js-alice", `PathPrefix /js/: ${js.Users.map((u) => u.UserName)}`);
});
let policyArn;
await check("iam CreatePolicy, AttachUserPolicy, ListAttachedUserPolicies", async () => {
  const doc = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*",
    Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }] };
  const out = await iam.send(new CreatePolicyCommand({ PolicyName: "js-policy", PolicyDocument: JSON.stringify(doc) }));
  policyArn = out.Policy.Arn;
  expect(policyArn === `arn:aws:iam::${ACCOUNT}:policy/js-policy` && out.Policy.DefaultVersionId === "v1", JSON.stringify(out.Policy));
  await iam.send(new AttachUserPolicyCommand({ UserName: "js-alice", PolicyArn: policyArn }));
  const att = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: "js-alice" }));
  expect(att.AttachedPolicies.length === 1 && att.AttachedPolicies[0].PolicyArn === policyArn, JSON.stringify(att.AttachedPolicies));
});
await refused("iam CreatePolicy with malformed JSON", () => iam.send(new CreatePolicyCommand({ PolicyName: "js-bad", PolicyDocument: "{not json" })),
  "MalformedPolicyDocumentException", 400);
await check("iam SimulatePrincipalPolicy honours the MFA condition", async () => {
  const arn = `arn:aws:iam::${ACCOUNT}:user/js/js-alice`;
  const sim = (mfa) => iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: arn, ActionNames: ["s3:GetObject"],
    ContextEntries: [{ ContextKeyName: "aws:MultiFactorAuthPresent", ContextKeyType: "boolean", ContextKeyValues: [mfa] }] }));
  const [yes, no] = [await sim("true"), await sim("false")];
  expect(yes.EvaluationResults[0].EvalDecision === "allowed" && no.EvaluationResults[0].EvalDecision === "implicitDeny",
    `with MFA ${yes.EvaluationResults[0].EvalDecision}, without ${no.EvaluationResults[0].EvalDecision}`);
});
await check("iam TagUser and ListUserTags", async () => {
  await iam.send(new TagUserCommand({ UserName: "js-alice", Tags: [{ Key: "cost-center", Value: "42" }] }));
  const out = await iam.send(new ListUserTagsCommand({ UserName: "js-alice" }));
  expect(out.Tags.map((t) => `${t.Key}=${t.Value}`).sort().join(",") === "cost-center=42,team=security", JSON.stringify(out.Tags));
});
await refused("iam DeleteUser with a policy attached", () => iam.send(new DeleteUserCommand({ UserName: "js-alice" })), "DeleteConflictException", 409);
await check("iam CreateVirtualMFADevice answers a blob seed", async () => {
  const out = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "js-mfa" }));
  const seed = new TextDecoder().decode(out.VirtualMFADevice.Base32StringSeed);
  // The message names the seed's length and alphabet, never the seed: it is an MFA secret.
  expect(/^[A-Z2-7]+=*$/.test(seed) && out.VirtualMFADevice.SerialNumber === `arn:aws:iam::${ACCOUNT}:mfa/js-mfa`,
    `seed of ${seed.length} characters, base32: ${/^[A-Z2-7]+=*$/.test(seed)}; serial ${out.VirtualMFADevice.SerialNumber}`);
});
await check("iam GetAccountSummary", async () => {
  const out = await iam.send(new GetAccountSummaryCommand({}));
  expect(out.SummaryMap.Users === 6 && out.SummaryMap.AccountAccessKeysPresent === 0, JSON.stringify(out.SummaryMap));
});
await check("sts AssumeRole", async () => {
  const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" }] };
  const role = await iam.send(new CreateRoleCommand({ RoleName: "js-role", AssumeRolePolicyDocument: JSON.stringify(trust) }));
  const out = await sts.send(new AssumeRoleCommand({ RoleArn: role.Role.Arn, RoleSessionName: "js" }));
  expect(out.Credentials.AccessKeyId.startsWith("ASIA") && out.Credentials.Expiration instanceof Date &&
    out.AssumedRoleUser.Arn === `arn:aws:sts::${ACCOUNT}:assumed-role/js-role/js`, JSON.stringify(out.AssumedRoleUser));
});

// Organizations (awsJson 1.1).
await check("organizations CreateOrganization, CreateAccount, ListAccounts pages", async () => {
  const o = await org.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
  expect(/^o-[a-z0-9]{10,32}$/.test(o.Organization.Id) && o.Organization.MasterAccountId === ACCOUNT, JSON.stringify(o.Organization));
  const cs = await org.send(new CreateAccountCommand({ Email: "member@example.com", AccountName: "member" }));
  let st = cs.CreateAccountStatus;
  for (let i = 0; st.State === "IN_PROGRESS" && i < 50; i++) {
    st = (await org.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: st.Id }))).CreateAccountStatus;
  }
  expect(st.State === "SUCCEEDED" && /^\d{12}$/.test(st.AccountId), JSON.stringify(st));
  const first = await org.send(new ListAccountsCommand({ MaxResults: 1 }));
  const second = await org.send(new ListAccountsCommand({ MaxResults: 1, NextToken: first.NextToken }));
  const ids = [first.Accounts[0].Id, second.Accounts[0].Id].sort();
  expect(first.NextToken && !second.NextToken && JSON.stringify(ids) === JSON.stringify([ACCOUNT, st.AccountId].sort()), `pages: ${ids}`);
  const roots = await org.send(new ListRootsCommand({}));
  expect(/^r-[a-z0-9]{4,32}$/.test(roots.Roots[0].Id), JSON.stringify(roots.Roots));
});
await refused("organizations ListPolicies with an unknown type", () => org.send(new ListPoliciesCommand({ Filter: "NOPE" })),
  "InvalidInputException", 400);

// CloudTrail (awsJson 1.1).
await check("cloudtrail LookupEvents by EventName", async () => {
  const out = await ct.send(new LookupEventsCommand({ MaxResults: 2, LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "CreateUser" }] }));
  expect(out.Events.length === 2 && out.NextToken && out.Events.every((e) => e.EventName === "CreateUser" && e.EventTime instanceof Date),
    JSON.stringify(out.Events.map((e) => e.EventName)));
  const rec = JSON.parse(out.Events[0].CloudTrailEvent);
  expect(rec.eventSource === "iam.amazonaws.com" && rec.userIdentity.type === "IAMUser" && rec.recipientAccountId === ACCOUNT,
    out.Events[0].CloudTrailEvent);
});
await refused("cloudtrail LookupEvents with two attributes", () => ct.send(new LookupEventsCommand({
  LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "a" }, { AttributeKey: "Username", AttributeValue: "b" }] })),
"InvalidLookupAttributesException", 400);
await refused("cloudtrail LookupEvents ending before it starts", () => ct.send(new LookupEventsCommand({
  StartTime: new Date(), EndTime: new Date(Date.now() - 3600e3) })), "InvalidTimeRangeException", 400);
await check("cloudtrail CreateTrail, StartLogging, GetTrailStatus", async () => {
  const t = await ct.send(new CreateTrailCommand({ Name: "js-trail", S3BucketName: "js-bucket", EnableLogFileValidation: true }));
  expect(t.TrailARN === `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/js-trail` && t.LogFileValidationEnabled === true, JSON.stringify(t));
  await ct.send(new StartLoggingCommand({ Name: "js-trail" }));
  const s = await ct.send(new GetTrailStatusCommand({ Name: "js-trail" }));
  expect(s.IsLogging === true && s.StartLoggingTime instanceof Date, JSON.stringify(s));
});

// EventBridge (awsJson 1.1) and SNS (awsQuery).
await check("events ListRules shows the managed root-activity rule", async () => {
  const out = await eb.send(new ListRulesCommand({}));
  const r = out.Rules.find((r) => r.Name === "RootwardRootActivity");
  expect(r && r.ManagedBy === "rootward" && JSON.parse(r.EventPattern).detail.userIdentity.type[0] === "Root", JSON.stringify(out.Rules));
});
await refused("events PutRule with an invalid pattern", () => eb.send(new PutRuleCommand({ Name: "bad", EventPattern: '{"source":"aws.iam"}' })),
  "InvalidEventPatternException", 400);
await check("events TestEventPattern with the pattern language", async () => {
  const pattern = { detail: { ip: [{ cidr: "10.0.0.0/8" }], n: [{ numeric: [">", 1, "<=", 5] }], s: [{ "anything-but": { prefix: "x" } }],
    w: [{ wildcard: "a*c" }], e: [{ "equals-ignore-case": "ABC" }], missing: [{ exists: false }] } };
  const event = (n) => JSON.stringify({ id: "1", "detail-type": "d", source: "s", account: ACCOUNT, time: "2026-01-01T00:00:00Z",
    region: "us-east-1", resources: [], detail: { ip: "10.1.2.3", n, s: "yes", w: "abbc", e: "abc" } });
  const hit = await eb.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: event(5) }));
  const miss = await eb.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: event(6) }));
  expect(hit.Result === true && miss.Result === false, `n=5 ${hit.Result}, n=6 ${miss.Result}`);
});
await check("sns CreateTopic, Subscribe (pending), Publish; events PutRule and PutTargets to it", async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "js-topic" }));
  expect(TopicArn === `arn:aws:sns:us-east-1:${ACCOUNT}:js-topic`, TopicArn);
  const sub = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "security@example.com" }));
  expect(sub.SubscriptionArn === "pending confirmation", sub.SubscriptionArn);
  const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
  expect(subs.Subscriptions.length === 1 && subs.Subscriptions[0].SubscriptionArn === "PendingConfirmation", JSON.stringify(subs.Subscriptions));
  const attrs = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
  expect(attrs.Attributes.TopicArn === TopicArn && attrs.Attributes.SubscriptionsPending === "1", JSON.stringify(attrs.Attributes));
  const pub = await sns.send(new PublishCommand({ TopicArn, Message: "hello", Subject: "test" }));
  expect(/^[0-9a-f-]{36}$/.test(pub.MessageId), pub.MessageId);
  await eb.send(new PutRuleCommand({ Name: "js-rule", EventPattern: JSON.stringify({ source: ["aws.iam"] }) }));
  const put = await eb.send(new PutTargetsCommand({ Rule: "js-rule", Targets: [{ Id: "topic", Arn: TopicArn }] }));
  expect(put.FailedEntryCount === 0, JSON.stringify(put));
  const targets = await eb.send(new ListTargetsByRuleCommand({ Rule: "js-rule" }));
  expect(targets.Targets.length === 1 && targets.Targets[0].Arn === TopicArn, JSON.stringify(targets.Targets));
});
await refused("sns GetTopicAttributes of a missing topic", () => sns.send(new GetTopicAttributesCommand({
  TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:nope` })), "NotFoundException", 404);

// GuardDuty (restJson1).
await check("guardduty CreateDetector, GetDetector, ListDetectors", async () => {
  const { DetectorId } = await gd.send(new CreateDetectorCommand({ Enable: true }));
  expect(/^[0-9a-f]{32}$/.test(DetectorId), DetectorId);
  const d = await gd.send(new GetDetectorCommand({ DetectorId }));
  expect(d.Status === "ENABLED" && d.ServiceRole.endsWith("/AWSServiceRoleForAmazonGuardDuty"), JSON.stringify(d));
  const list = await gd.send(new ListDetectorsCommand({}));
  expect(JSON.stringify(list.DetectorIds) === JSON.stringify([DetectorId]), JSON.stringify(list));
});
await refused("guardduty CreateDetector twice", () => gd.send(new CreateDetectorCommand({ Enable: true })), "BadRequestException", 400);

console.log(failed ? `${failed} check(s) failed` : "every check passed");
process.exit(failed ? 1 : 0);
