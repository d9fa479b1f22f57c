// A root console sign-in in headless Chromium against a started `rootward serve`, for
// monitoring_test.go, which then waits for what the sign-in sets off (the root-activity alert
// email, the EventBridge rule's SNS delivery, the GuardDuty finding). Environment:
//   ROOTWARD_URL          the console origin, http://localhost:PORT
//   ROOTWARD_ROOT_EMAIL   the root user's email, ROOTWARD_ROOT_PASSWORD its password
import assert from "node:assert/strict";
import { launchProfile } from "./chromium.mjs";

const base = process.env.ROOTWARD_URL;
const email = process.env.ROOTWARD_ROOT_EMAIL;
const password = process.env.ROOTWARD_ROOT_PASSWORD;
assert.ok(base && email && password, "ROOTWARD_URL, ROOTWARD_ROOT_EMAIL and ROOTWARD_ROOT_PASSWORD are required");

const { context, close } = await launchProfile();
let failed = false;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  console.log("--- root sign-in with password");
  await page.goto(base + "/console/signin");
  await page.fill('input[name="email"]', email);
  await page.click('form[action="/console/signin/root"] button[type="submit"]');
  await page.waitForURL(/\/console\/signin\/root$/);
  await page.fill('input[name="password"]', password);
  await page.click('form[action="/console/signin/root/password"] button[type="submit"]');
  // A root user without an MFA device is asked to register one, within 35 days: later, and the
  // sign-in is done (the ConsoleLogin is recorded then).
  await page.waitForSelector("text=Register an MFA device");
  await page.click('form[action="/console/signin/skip-mfa"] button[type="submit"]');
  await page.waitForURL(/\/console\/home$/);
  assert.match(await page.textContent("main"), /:root/);
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  await close();
}
console.log(`${failed ? 0 : 1} passed, ${failed ? 1 : 0} failed`);
process.exit(failed ? 1 : 0);
