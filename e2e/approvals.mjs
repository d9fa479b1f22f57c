// Multi-party approval's approval portal in headless Chromium, for approvals_test.go: three
// Identity Center approvers, each in a browser context of their own (their own cookies), open
// PUBLIC_URL/approvals, are sent to sign in at /start (the administrator's one-time password, a
// password of their own, an authenticator registered with codes computed here) and come back; each
// accepts the 2-of-3 team's invitation. The script then says ACCEPTED on stdout and waits for the
// test to write the session ARN of a refused protected operation to ROOTWARD_SESSION_FILE; two of
// the approvers approve it in the portal, and the script says VOTED. Environment:
//   ROOTWARD_URL                 the origin, http://localhost:PORT
//   ROOTWARD_APPROVERS           user:one-time-password,… (three)
//   ROOTWARD_TEAM                the team's name
//   ROOTWARD_SESSION_FILE        where the test writes the session ARN
//   ROOTWARD_SCREENSHOTS         the directory for screenshots
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { launchBrowser } from "./chromium.mjs";
import { totp } from "./otp.mjs";

const env = (name) => {
  const v = process.env[name];
  assert.ok(v, `${name} is required`);
  return v;
};
const base = env("ROOTWARD_URL");
const approvers = env("ROOTWARD_APPROVERS").split(",").map((p) => {
  const [user, otp] = p.split(":");
  return { user, otp };
});
const team = env("ROOTWARD_TEAM");
const sessionFile = env("ROOTWARD_SESSION_FILE");
const shots = env("ROOTWARD_SCREENSHOTS");
mkdirSync(shots, { recursive: true });
const newPassword = "Correct-Horse-Battery-9";

function step(name) {
  console.log(`--- ${name}`);
}

const browser = await launchBrowser();
let failed = false;
try {
  const pages = [];
  for (const a of approvers) {
    step(`${a.user}: the approval portal, signed out, signs in at /start and comes back`);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${base}/approvals`);
    await page.waitForSelector('form[action="/start/signin"]');
    await page.fill('input[name="username"]', a.user);
    await page.fill('input[name="password"]', a.otp);
    await page.click('form[action="/start/signin"] button[type="submit"]');
    await page.waitForSelector('form[action="/start/password"]');
    await page.fill('input[name="new_password"]', newPassword);
    await page.fill('input[name="confirm_password"]', newPassword);
    await page.click('form[action="/start/password"] button[type="submit"]');
    await page.waitForSelector("#totp-seed");
    const seed = (await page.textContent("#totp-seed")).trim();
    await page.fill('form[action="/start/register"] input[name="code"]', totp(seed));
    await page.click('form[action="/start/register"] button[type="submit"]');
    await page.waitForURL(/\/approvals$/);

    step(`${a.user}: accepts the invitation of ${team}`);
    const row = page.locator(`tr.team[data-team="${team}"]`);
    await row.locator("button.accept-invitation").click();
    await page.waitForSelector("text=You accepted the invitation");
    pages.push({ ...a, page });
  }
  await pages[2].page.waitForSelector(`text=Approval team ${team} is ACTIVE.`);
  await pages[2].page.screenshot({ path: join(shots, "approvals-team-active.png"), fullPage: true });
  console.log("ACCEPTED");

  step("waiting for the refused operation's session");
  for (let i = 0; i < 600 && !existsSync(sessionFile); i++) {
    await delay(100);
  }
  const session = readFileSync(sessionFile, "utf8").trim();
  assert.match(session, /^arn:aws:mpa:/, "the session ARN");

  for (const a of pages.slice(0, 2)) {
    step(`${a.user}: approves ${session}`);
    await a.page.goto(`${base}/approvals`);
    const card = a.page.locator(`div.session.pending[data-session="${session}"]`);
    await card.waitFor();
    assert.ok((await card.textContent()).includes("iam:DisableOrganizationsRootSessions"), "the session names the operation");
    await card.locator("button.approve").click();
    await a.page.waitForSelector("text=Your response (APPROVED) was recorded.");
  }
  await pages[1].page.waitForSelector("text=The session is now APPROVED.");
  await pages[1].page.screenshot({ path: join(shots, "approvals-approved.png"), fullPage: true });
  console.log("VOTED");
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
