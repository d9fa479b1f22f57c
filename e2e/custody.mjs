// The root user's split-custody sign-in in headless Chromium, for custody_test.go: the root
// password is split 3 of 3 among three custodians and nobody knows it; a 2-of-3 approval team
// protects the root sign-in. Five isolated browser contexts: the three custodians and the root
// MFA group's member sign in to the access portal as themselves (one-time password, their own
// password, an authenticator registered); the custodians take their shares once; a fifth browser
// starts the root sign-in and gets a code; each custodian enters their share from their own
// context; the MFA group's member answers the root MFA step from theirs; the sign-in then waits
// for two approvals and completes in the starting browser. Environment:
//   ROOTWARD_URL       the console origin, http://localhost:PORT
//   ROOTWARD_ACCOUNT   the account ID, ROOTWARD_ROOT_EMAIL its root email
//   ROOTWARD_USERS     a JSON object of one-time passwords by user name: c1, c2, c3 and mo
//   ROOTWARD_HELPER    a test endpoint: /totp?seed=S (the current code of a seed; seed "root" is
//                      the root user's device, which only the test and mo's answers know) and
//                      /vote?session=ARN (two approvers approve)
import assert from "node:assert/strict";
import { launchBrowser } from "./chromium.mjs";

const base = process.env.ROOTWARD_URL;
const account = process.env.ROOTWARD_ACCOUNT;
const email = process.env.ROOTWARD_ROOT_EMAIL;
const helper = process.env.ROOTWARD_HELPER;
const users = JSON.parse(process.env.ROOTWARD_USERS ?? "{}");
assert.ok(base && account && email && helper && users.c1 && users.mo, "environment incomplete");

async function help(path) {
  const res = await fetch(helper + path);
  const text = await res.text();
  assert.equal(res.status, 200, `${path}: ${text}`);
  return text.trim();
}

const browser = await launchBrowser();

// portalUser signs name in to the access portal in a context of its own, for the first time.
async function portalUser(name) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(base + "/start");
  await page.fill('input[name="username"]', name);
  await page.fill('input[name="password"]', users[name]);
  await page.click('form[action="/start/signin"] button[type="submit"]');
  if (!(await page.$('input[name="new_password"]'))) {
    throw new Error(`${name}'s sign-in: ${await page.textContent("body")}`);
  }
  await page.fill('input[name="new_password"]', `Quiet-${name}-Harbor-4`);
  await page.fill('input[name="confirm_password"]', `Quiet-${name}-Harbor-4`);
  await page.click('form[action="/start/password"] button[type="submit"]');
  const seed = (await page.textContent("#totp-seed")).trim();
  await page.fill('input[name="code"]', await help(`/totp?seed=${seed}`));
  await page.click('form[action="/start/register"] button[type="submit"]');
  await page.waitForURL(/\/start$/);
  await page.goto(base + "/start/custody");
  return page;
}

let failed = false;
try {
  console.log("--- custodians and the MFA group's member sign in, each in a context of their own");
  const people = {};
  for (const name of ["c1", "c2", "c3", "mo"]) {
    people[name] = await portalUser(name);
  }
  console.log("--- each custodian takes their share, once");
  const shares = {};
  for (const name of ["c1", "c2", "c3"]) {
    const page = people[name];
    await page.fill('form[action="/start/custody/take"] input[name="account"]', account);
    await page.click("#custody-take");
    shares[name] = (await page.textContent("#custody-share")).trim();
    assert.match(shares[name], /^rwshare1-[0-9a-f]+$/);
    await page.fill('form[action="/start/custody/take"] input[name="account"]', account);
    await page.click("#custody-take");
    assert.match(await page.textContent("main"), /cannot be shown again/);
  }

  console.log("--- a fifth browser starts the root sign-in with password shares");
  const starter = await (await browser.newContext()).newPage();
  starter.setDefaultTimeout(30_000);
  await starter.goto(base + "/console/signin");
  await starter.fill('input[name="email"]', email);
  await starter.click('form[action="/console/signin/root"] button[type="submit"]');
  await starter.click("#custody-start");
  await starter.waitForURL(/\/console\/signin\/root\/custody$/);
  const code = (await starter.textContent("#custody-code")).trim();
  assert.match(code, /^[A-Z0-9]{4}-[A-Z0-9]{4}$/);

  console.log("--- each custodian enters their share from their own session");
  for (const name of ["c1", "c2", "c3"]) {
    const page = people[name];
    await page.fill('form[action="/start/custody/share"] input[name="code"]', code);
    await page.fill('form[action="/start/custody/share"] input[name="share"]', shares[name]);
    await page.click("#custody-enter");
    assert.match(await page.textContent("main"), /Your share was entered/);
  }
  assert.match(await people.c3.textContent("main"), /password is verified/);
  await starter.click("#custody-refresh");
  assert.match(await starter.textContent("#custody-shares"), /3 of 3: the password is verified/);

  console.log("--- a custodian cannot answer the MFA step; the MFA group's member does");
  await people.c1.fill('form[action="/start/custody/mfa"] input[name="code"]', code);
  await people.c1.fill('input[name="mfa_code"]', await help("/totp?seed=root"));
  await people.c1.click("#custody-mfa");
  assert.match(await people.c1.textContent("main"), /not in the root MFA group/);
  await people.mo.fill('form[action="/start/custody/mfa"] input[name="code"]', code);
  await people.mo.fill('input[name="mfa_code"]', await help("/totp?seed=root"));
  await people.mo.click("#custody-mfa");
  assert.match(await people.mo.textContent("main"), /MFA step of the sign-in is answered/);

  console.log("--- the starting browser continues: the sign-in waits for the 2-of-3 team");
  await starter.click("#custody-refresh");
  await starter.click("#custody-continue");
  const session = (await starter.textContent("#approval-session")).trim();
  assert.match(await starter.textContent("#approval-count"), /0 of 2/);
  await starter.click("#approval-check");
  assert.match(await starter.textContent("#approval-status"), /PENDING/);
  await help(`/vote?session=${encodeURIComponent(session)}`);
  await starter.click("#approval-check");
  await starter.waitForURL(/\/console\/home$/);
  assert.match(await starter.textContent("main"), /:root/);
  console.log("signed in as root");
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  await browser.close();
}
console.log(`${failed ? 0 : 1} passed, ${failed ? 1 : 0} failed`);
process.exit(failed ? 1 : 0);
