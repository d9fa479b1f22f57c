// The break-glass cooling-off page in headless Chromium, for coolingoff_test.go: an IAM
// administrator signs in to the console, opens /console/approvals/breakglass, sees the default
// period, proposes 2h and is refused with the approval session it opened, which the script prints
// (PROPOSED ARN). Once the test has had two approvers approve it and written ROOTWARD_APPROVED_FILE,
// the script reloads the page, sees the session APPROVED, applies the change and prints APPLIED.
// Environment:
//   ROOTWARD_URL              the origin, http://localhost:PORT
//   ROOTWARD_ACCOUNT          the account ID
//   ROOTWARD_USER             the IAM administrator's user name
//   ROOTWARD_PASSWORD         its console password
//   ROOTWARD_APPROVED_FILE    the file the test writes once the session is approved
//   ROOTWARD_SCREENSHOTS      the directory for screenshots
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { launchBrowser } from "./chromium.mjs";

const env = (name) => {
  const v = process.env[name];
  assert.ok(v, `${name} is required`);
  return v;
};
const base = env("ROOTWARD_URL");
const approvedFile = env("ROOTWARD_APPROVED_FILE");
const shots = env("ROOTWARD_SCREENSHOTS");
mkdirSync(shots, { recursive: true });

function step(name) {
  console.log(`--- ${name}`);
}

const browser = await launchBrowser();
let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);

  step("the administrator signs in");
  await page.goto(`${base}/console/signin/iam`);
  await page.fill('input[name="account"]', env("ROOTWARD_ACCOUNT"));
  await page.fill('input[name="username"]', env("ROOTWARD_USER"));
  await page.fill('input[name="password"]', env("ROOTWARD_PASSWORD"));
  await page.click('form[action="/console/signin/iam"] button[type="submit"]');
  await page.waitForURL(/\/console\/home/);

  step("the cooling-off page, from the custody report");
  await page.goto(`${base}/console/approvals/report`);
  await page.click("#cooling-off-link");
  await page.waitForURL(/\/console\/approvals\/breakglass$/);
  assert.equal((await page.textContent("#cooling-off-period")).trim(), "24h");
  assert.match(await page.textContent("#cooling-off-origin"), /^default/);

  step("proposes 2h: refused with the session it opened");
  await page.fill("#cooling-off-input", "2h");
  await page.click("#cooling-off-propose");
  await page.waitForSelector("#proposal-session");
  assert.match(await page.textContent("body"), /The change waits for the approval team/);
  assert.equal((await page.textContent("#proposal-state")).trim(), "PENDING");
  assert.equal(await page.locator("#cooling-off-apply").count(), 0, "a pending change cannot be applied");
  const session = (await page.textContent("#proposal-session")).trim();
  assert.match(session, /^arn:aws:mpa:/);
  await page.screenshot({ path: join(shots, "cooling-off-pending.png"), fullPage: true });
  console.log(`PROPOSED ${session}`);

  step("waiting for the approvals");
  for (let i = 0; i < 600 && !existsSync(approvedFile); i++) {
    await delay(100);
  }
  assert.ok(existsSync(approvedFile), "the test approved the session");

  step("applies the approved change");
  await page.goto(`${base}/console/approvals/breakglass`);
  assert.equal((await page.textContent("#proposal-state")).trim(), "APPROVED");
  await page.click("#cooling-off-apply");
  await page.waitForSelector("text=The cooling-off period is now 2h (it was 24h).");
  assert.equal((await page.textContent("#cooling-off-period")).trim(), "2h");
  await page.screenshot({ path: join(shots, "cooling-off-applied.png"), fullPage: true });
  console.log("APPLIED");
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
