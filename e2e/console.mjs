// Browser tests of the Rootward console in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core). e2e_test.go starts an in-process Rootward and runs this script with:
//   ROOTWARD_URL          the console origin, http://localhost:PORT (WebAuthn needs a host name)
//   ROOTWARD_IP_URL       the same server by IP address, http://127.0.0.1:PORT, which the console
//                         redirects to ROOTWARD_URL
//   ROOTWARD_ROOT_EMAIL   the root user's email, ROOTWARD_ROOT_PASSWORD its password
//   ROOTWARD_SCREENSHOTS  the directory for screenshots of the main pages
//   ROOTWARD_CLAIM_URL    a first-run claim link of another, unclaimed account
//   ROOTWARD_OUTBOX_URL   a test endpoint answering the newest outbox message ?to=…&purpose=…
// It covers root sign-in with password and TOTP, TOTP registration from the QR page (the seed shown
// is decoded and the codes computed here, independently of the server), and passkey registration
// and sign-in with the Chrome DevTools virtual authenticator, shows the organization's root
// access page to the management account's root user, the Events page with its filters, and the
// Compliance pages (the account's checks, the credential report download, the organization's view).
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { launchProfile, addPasskeyAuthenticator } from "./chromium.mjs";
import { totp } from "./otp.mjs";

const base = process.env.ROOTWARD_URL;
const ipBase = process.env.ROOTWARD_IP_URL;
const email = process.env.ROOTWARD_ROOT_EMAIL;
const password = process.env.ROOTWARD_ROOT_PASSWORD;
const shots = process.env.ROOTWARD_SCREENSHOTS;
const claimURL = process.env.ROOTWARD_CLAIM_URL;
const outboxURL = process.env.ROOTWARD_OUTBOX_URL;
assert.ok(base && ipBase && email && password && shots && claimURL && outboxURL,
  "ROOTWARD_URL, ROOTWARD_IP_URL, ROOTWARD_ROOT_EMAIL, ROOTWARD_ROOT_PASSWORD, ROOTWARD_SCREENSHOTS, ROOTWARD_CLAIM_URL and ROOTWARD_OUTBOX_URL are required");

// outboxMessage is the newest message Rootward kept for an address and purpose.
async function outboxMessage(to, purpose) {
  const res = await fetch(`${outboxURL}/?to=${encodeURIComponent(to)}&purpose=${encodeURIComponent(purpose)}`);
  assert.equal(res.status, 200, `no ${purpose} message to ${to}`);
  return res.text();
}
mkdirSync(shots, { recursive: true });

const steps = [];
function step(name) {
  steps.push(name);
  console.log(`--- ${name}`);
}

// shot saves a screenshot of a page, which must show no Markdown backtick (pages are text for
// people).
async function shot(page, name) {
  assert.ok(!(await page.textContent("body")).includes("`"), `page ${name} shows a backtick`);
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function signInPassword(page) {
  await page.goto(base + "/");
  await page.waitForURL(/\/console\/signin/);
  await page.fill('input[name="email"]', email);
  await page.click('form[action="/console/signin/root"] button[type="submit"]');
  await page.waitForURL(/\/console\/signin\/root$/);
  await page.fill('input[name="password"]', password);
  await page.click('form[action="/console/signin/root/password"] button[type="submit"]');
}

async function signOut(page) {
  await page.click('form[action="/console/signout"] button');
  await page.waitForURL(/\/console\/signin\?signedout=1/);
}

const { context, close } = await launchProfile({ viewport: { width: 1280, height: 900 } });
let failed = false;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  const scriptErrors = [];
  page.on("pageerror", (e) => scriptErrors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") scriptErrors.push(m.text()); });
  page.on("response", (r) => { if (r.status() >= 400) scriptErrors.push(`${r.status()} ${r.url()}`); });

  step("the console opened at 127.0.0.1 lands on localhost, where passkeys work");
  await page.goto(ipBase + "/console/");
  await page.waitForURL(base + "/console/signin");

  step("root sign-in with password reaches the MFA registration step (35-day window)");
  await page.goto(base + "/console/signin");
  await shot(page, "01-signin");
  await page.fill('input[name="email"]', email);
  await page.click('form[action="/console/signin/root"] button[type="submit"]');
  await page.waitForURL(/\/console\/signin\/root$/);
  await page.fill('input[name="password"]', password);
  await shot(page, "02-root-password");
  await page.click('form[action="/console/signin/root/password"] button[type="submit"]');
  await page.waitForSelector("text=Register an MFA device");
  assert.match(await page.textContent("main"), /Remind me later/);
  await shot(page, "03-mfa-registration-required");

  step("TOTP registration from the QR page, with codes computed from the seed shown");
  await page.fill('form[action="/console/mfa/totp"] input[name="name"]', "root-authenticator");
  await page.click('form[action="/console/mfa/totp"] button[type="submit"]');
  await page.waitForSelector("img.qr");
  const qrLoaded = await page.$eval("img.qr", (img) => img.complete && img.naturalWidth > 0);
  assert.ok(qrLoaded, "the QR code image did not load (Content-Security-Policy?)");
  const seed = (await page.textContent("#totp-seed")).trim();
  assert.match(seed, /^[A-Z2-7]{32,}$/);
  await shot(page, "04-totp-qr");
  const now = Date.now();
  await page.fill('input[name="code1"]', totp(seed, now - 30_000));
  await page.fill('input[name="code2"]', totp(seed, now));
  await page.click('form[action="/console/mfa/totp/enable"] button[type="submit"]');
  await page.waitForURL(/\/console\/home$/);
  assert.match(await page.textContent("main"), /:root/);
  await shot(page, "05-home");

  step("root sign-in with password and TOTP");
  await signOut(page);
  await signInPassword(page);
  await page.waitForSelector('form[action="/console/signin/mfa"]');
  await shot(page, "06-mfa-code");
  // The enabling codes used the current step; the next step's code is within the ±1 step the
  // server allows and has not been used.
  await page.fill('input[name="code"]', totp(seed, Date.now() + 30_000));
  await page.click('form[action="/console/signin/mfa"] button[type="submit"]');
  await page.waitForURL(/\/console\/home$/);

  step("passkey registration with the virtual authenticator");
  const { cdp, authenticatorId } = await addPasskeyAuthenticator(context, page);
  await page.goto(base + "/console/security-credentials");
  await page.waitForSelector("#webauthn-register", { state: "visible" });
  await page.fill("#webauthn-name", "laptop-passkey");
  await page.click("#webauthn-register");
  await page.waitForURL(/\/console\/security-credentials\?done=/);
  const creds = await page.textContent("main");
  assert.match(creds, /Security key registered/);
  assert.match(creds, /laptop-passkey/);
  assert.match(creds, /root-authenticator/);
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  assert.equal(credentials.length, 1, "the authenticator holds one credential");
  await shot(page, "07-security-credentials");

  step("passkey sign-in");
  await signOut(page);
  await signInPassword(page);
  await page.waitForSelector("#webauthn-signin", { state: "visible" });
  await page.click("#webauthn-signin");
  await page.waitForURL(/\/console\/home$/);
  assert.match(await page.textContent("main"), /:root/);

  step("root access key: confirmation, banner on every page, deletion");
  await page.goto(base + "/console/security-credentials");
  await page.check('form[action="/console/access-keys/create"] input[name="confirm"]');
  await page.click('form[action="/console/access-keys/create"] button[type="submit"]');
  await page.waitForSelector("#new-key-secret");
  assert.match(await page.textContent("#new-key-id"), /^AKIA/);
  await shot(page, "08-root-access-key-created");
  await page.reload();
  assert.match(await page.textContent("main"), /shown once and cannot be shown again/, "reloading the new key's page shows the secret again");
  assert.equal(await page.$("#new-key-secret"), null, "the secret is shown twice");
  await page.goto(base + "/console/home");
  assert.match(await page.textContent(".banner"), /root user of this account has an access key/);
  await shot(page, "09-home-root-key-banner");
  await page.goto(base + "/console/security-credentials");
  await page.click('form[action="/console/access-keys/status"] button');
  await page.waitForURL(/done=/);
  const keyId = (await page.getAttribute('form[action="/console/access-keys/delete"] input[name="id"]', "value"));
  await page.fill('form[action="/console/access-keys/delete"] input[name="confirm_id"]', keyId);
  await shot(page, "12-delete-access-key-typed");
  await page.click('form[action="/console/access-keys/delete"] button');
  await page.waitForURL(/done=/);
  assert.equal(await page.$(".banner"), null, "the banner stays after the key was deleted");

  step("organization root access page");
  await page.goto(base + "/console/organization/root-access");
  const inventory = await page.textContent("#root-inventory");
  assert.match(inventory, /legacy@browser\.example/);
  assert.match(inventory, /management account/);
  await shot(page, "11-organization-root-access");

  step("events page: root activity highlighted, filtered by name, user and time, the record's JSON");
  await page.goto(base + "/console/events");
  const rootRow = page.locator("#events tbody.root-activity tr").first();
  await rootRow.waitFor();
  const highlight = await rootRow.evaluate((el) => getComputedStyle(el).backgroundColor);
  const plain = await page.locator("#events thead tr").evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.notEqual(highlight, plain, "root activity is not highlighted");
  assert.match(await rootRow.locator("td.user").textContent(), /Root/);
  await page.fill("#filter-name", "ConsoleLogin");
  await page.check("#filter-root");
  await page.click('#event-filters button[type="submit"]');
  await page.waitForURL(/name=ConsoleLogin/);
  const names = await page.locator("#events td.name").allTextContents();
  assert.ok(names.length > 0 && names.every((n) => n === "ConsoleLogin"), `rows: ${names}`);
  assert.equal(await page.locator("#events tbody.event:not(.root-activity)").count(), 0, "a row that is not the root's");
  await page.locator("#events details summary").first().click();
  const record = JSON.parse(await page.locator("#events pre.json").first().textContent());
  assert.equal(record.eventName, "ConsoleLogin");
  assert.equal(record.userIdentity.type, "Root");
  assert.equal(record.eventSource, "signin.amazonaws.com");
  await shot(page, "16-events-root-sign-ins");
  await page.fill("#filter-from", "2099-01-01T00:00:00");
  await page.click('#event-filters button[type="submit"]');
  await page.waitForSelector("#no-events");
  await page.fill("#filter-from", "");
  await page.uncheck("#filter-root");
  await page.fill("#filter-name", "");
  await page.fill("#filter-user", "nobody-at-all");
  await page.click('#event-filters button[type="submit"]');
  await page.waitForSelector("#no-events");

  step("compliance page: each check's status, evidence and fix; the credential report downloads as CSV");
  await page.goto(base + "/console/compliance");
  assert.equal((await page.textContent("#check-ROOT_ACCOUNT_MFA_ENABLED td.status")).trim(), "PASSED");
  assert.equal((await page.textContent("#check-IAM_ROOT_ACCESS_KEY_CHECK td.status")).trim(), "PASSED", "the root key was deleted above");
  assert.match(await page.textContent("#check-IAM_PASSWORD_POLICY td.fix"), /https:\/\/docs\.aws\.amazon\.com\//);
  await shot(page, "17-compliance");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#credential-report button")]);
  assert.match(download.suggestedFilename(), /^credential-report-\d{12}\.csv$/);
  const report = readFileSync(await download.path(), "utf8");
  assert.match(report, /^user,arn,user_creation_time,/);
  assert.match(report, /^<root_account>,arn:aws:iam::\d{12}:root,/m);

  step("compliance across the organization: one row per account and check");
  await page.click("#org-view");
  await page.waitForURL(/\/console\/compliance\/organization$/);
  const legacyKey = page.locator('tr.org-check[id$="-IAM_ROOT_ACCESS_KEY_CHECK"]', { hasText: "legacy" });
  assert.equal((await legacyKey.locator("td.status").textContent()).trim(), "FAILED", "the legacy member's root key");
  const mgmtRows = await page.locator('tr.org-check[id$="-ROOT_ACCOUNT_MFA_ENABLED"] td.status').allTextContents();
  assert.equal(mgmtRows.length, 2, `one ROOT_ACCOUNT_MFA_ENABLED row per account: ${mgmtRows}`);
  await shot(page, "18-compliance-organization");

  step("an MFA device's removal names it and asks again");
  await page.goto(base + "/console/security-credentials");
  await page.click('form[action="/console/mfa/remove"] button');
  await page.waitForSelector("text=Remove this MFA device?");
  assert.match(await page.textContent("#remove-serial"), /^arn:aws:iam::\d{12}:(mfa|u2f)\//);
  await shot(page, "15-remove-mfa-device-confirm");
  await page.click("text=Keep it");
  await page.waitForURL(/\/console\/security-credentials$/);

  step("a lost-MFA recovery in progress shows on every page of the signed-in root, who cancels it");
  await page.fill('input[name="phone"]', "+15555550100");
  await page.fill('input[name="contact_email"]', "security@browser.example");
  await page.fill('input[name="contact_name"]', "Security team");
  await page.click('form[action="/console/security-credentials/contacts"] button[type="submit"]');
  await page.waitForSelector("text=Contact details saved");
  await signOut(page);
  await signInPassword(page);
  await page.click('form[action="/console/recover/mfa/begin"] button');
  await page.waitForSelector("text=How recovery works");
  const emailed = (await outboxMessage(email, "mfa-recovery-email")).match(/https?:\/\/\S+/)[0];
  await page.goto(emailed);
  await page.waitForSelector("text=Email address confirmed");
  await page.click('form[action="/console/recover/mfa/send"] button[value="sms"]');
  const code = (await outboxMessage("+15555550100", "mfa-recovery-phone")).match(/\b\d{6}\b/)[0];
  await page.fill('form[action="/console/recover/mfa/phone"] input[name="code"]', code);
  await page.click('form[action="/console/recover/mfa/phone"] button[type="submit"]');
  await page.waitForSelector("text=cooling");
  // The owner, who still has the passkey, signs in and sees it on every page.
  await signInPassword(page);
  await page.waitForSelector("#webauthn-signin", { state: "visible" });
  await page.click("#webauthn-signin");
  await page.waitForURL(/\/console\/home$/);
  await page.waitForSelector("#recovery-banner");
  await shot(page, "14-recovery-in-progress-banner");
  await page.goto(base + "/console/security-credentials");
  await page.waitForSelector("#recovery-banner");
  await page.click('#recovery-banner button[type="submit"]');
  await page.waitForURL(/\/console\/home\?done=/);
  assert.match(await page.textContent("main"), /recovery was cancelled/);
  assert.equal(await page.$("#recovery-banner"), null, "the banner stays after the recovery was cancelled");

  step("recovery pages render; without a mail server, check your email names the outbox");
  await signOut(page);
  await page.goto(base + "/console/recover/password");
  await shot(page, "10-recover-password");
  await page.fill('input[name="email"]', email);
  await page.click('form[action="/console/recover/password"] button[type="submit"]');
  await page.waitForSelector("text=Check your email");
  assert.match(await page.textContent("main"),
    /No mail server is configured: the message is kept in the server's outbox\. On the server, run: rootward outbox --data DIR/);

  step("the first-run claim asks for a contact phone number");
  await page.goto(claimURL);
  const phone = page.locator('input[name="phone"]');
  assert.equal(await phone.getAttribute("type"), "tel");
  assert.notEqual(await phone.getAttribute("required"), null, "the phone number is required");
  await page.fill('input[name="email"]', "ops@claim.example");
  await page.fill('input[name="phone"]', "+15555550123");
  await page.fill('input[name="password"]', "Vault-Keeper-2026!");
  await page.fill('input[name="confirm_password"]', "Vault-Keeper-2026!");
  await shot(page, "13-claim");
  await page.click('form[action^="/console/claim/"] button[type="submit"]');
  await page.waitForSelector("text=Installation claimed");

  assert.deepEqual(scriptErrors, [], "script or CSP errors in the pages");
} catch (err) {
  failed = true;
  console.error(err);
  try {
    const page = context.pages()[0];
    if (page) await page.screenshot({ path: join(shots, "failure.png"), fullPage: true });
  } catch { /* the failure itself is what matters */ }
} finally {
  await close();
}
console.log(`${failed ? 0 : steps.length} passed, ${failed ? 1 : 0} failed`);
process.exit(failed ? 1 : 0);
