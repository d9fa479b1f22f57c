// The browser's half of `aws sso login`'s device flow (IAM Identity Center's access portal in
// headless Chromium, driven by playwright-core). device_test.go starts the device authorizations
// with aws-sdk-go-v2's sso-oidc client, runs this script, then polls CreateToken. Environment:
//   ROOTWARD_USER, ROOTWARD_OTP      the Identity Center user and the one-time password its
//                                    administrator generated
//   ROOTWARD_NEW_PASSWORD            the password the user chooses at the first sign-in
//   ROOTWARD_APPROVE_URL, ROOTWARD_APPROVE_CLIENT  a verificationUriComplete and its client's
//                                    name: the user approves it
//   ROOTWARD_DENY_URL, ROOTWARD_DENY_CLIENT        another one: the user denies it
//   ROOTWARD_SCREENSHOTS             the directory for screenshots
//   ROOTWARD_PASSKEY_USER, ROOTWARD_PASSKEY_OTP  optional: a second user, who registers a passkey
//                                    (Chrome's virtual authenticator) at her first sign-in and
//                                    signs in with it again
// The first verification URL finds the user signed out: the portal signs her in (the one-time
// password, her own password, an authenticator registered with codes computed here from the seed
// the page shows) and comes back to the device page, which names the client.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchProfile, addPasskeyAuthenticator } from "./chromium.mjs";
import { totp } from "./otp.mjs";

const env = (name) => {
  const v = process.env[name];
  assert.ok(v, `${name} is required`);
  return v;
};
const user = env("ROOTWARD_USER");
const otp = env("ROOTWARD_OTP");
const newPassword = env("ROOTWARD_NEW_PASSWORD");
const approveURL = env("ROOTWARD_APPROVE_URL");
const approveClient = env("ROOTWARD_APPROVE_CLIENT");
const denyURL = env("ROOTWARD_DENY_URL");
const denyClient = env("ROOTWARD_DENY_CLIENT");
const shots = env("ROOTWARD_SCREENSHOTS");
mkdirSync(shots, { recursive: true });

function step(name) {
  console.log(`--- ${name}`);
}

// userCode is the user_code a verificationUriComplete carries.
const userCode = (u) => new URL(u).searchParams.get("user_code");

// answer checks that the device page names the client and the code, then presses a button.
async function answer(page, client, code, button, notice) {
  await page.waitForSelector("#user-code");
  assert.equal((await page.textContent("#user-code")).trim(), code, "the device page's user code");
  assert.ok((await page.textContent("main, body")).includes(client), `the device page names ${client}`);
  await page.click(`form[action="/device"] button[value="${button}"]`);
  await page.waitForSelector(`text=${notice}`);
}

const { context, close } = await launchProfile({ viewport: { width: 1280, height: 900 } });
let failed = false;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);

  step("the verification URL, signed out: the portal's sign-in");
  await page.goto(approveURL);
  await page.waitForSelector('form[action="/start/signin"]');
  await page.fill('input[name="username"]', user);
  await page.fill('input[name="password"]', otp);
  await page.click('form[action="/start/signin"] button[type="submit"]');

  step("first sign-in: a password of her own");
  await page.waitForSelector('form[action="/start/password"]');
  await page.fill('input[name="new_password"]', newPassword);
  await page.fill('input[name="confirm_password"]', newPassword);
  await page.click('form[action="/start/password"] button[type="submit"]');

  step("first sign-in: an authenticator app registered");
  await page.waitForSelector("#totp-seed");
  const seed = (await page.textContent("#totp-seed")).trim();
  assert.match(seed, /^[A-Z2-7]{16,}$/, "the seed shown");
  await page.fill('form[action="/start/register"] input[name="code"]', totp(seed));
  await page.screenshot({ path: join(shots, "portal-mfa-registration.png"), fullPage: true });
  await page.click('form[action="/start/register"] button[type="submit"]');

  step("back at the device page: the named client approved");
  await page.waitForURL(/\/device\?user_code=/);
  await page.screenshot({ path: join(shots, "portal-device.png"), fullPage: true });
  await answer(page, approveClient, userCode(approveURL), "approve", "Request approved");

  step("an answered code cannot be answered again");
  await page.goto(approveURL);
  await page.waitForSelector("text=The code is not valid or has expired.");
  assert.equal(await page.$('form[action="/device"] button[value="approve"]'), null, "no approve button for an answered code");

  step("another request, signed in: the named client denied");
  await page.goto(denyURL);
  await answer(page, denyClient, userCode(denyURL), "deny", "Request denied");

  const passkeyUser = process.env.ROOTWARD_PASSKEY_USER;
  if (passkeyUser) {
    const base = new URL(approveURL).origin;
    const signIn = async (password) => {
      await context.clearCookies();
      await page.goto(base + "/start");
      await page.waitForSelector('form[action="/start/signin"]');
      await page.fill('input[name="username"]', passkeyUser);
      await page.fill('input[name="password"]', password);
      await page.click('form[action="/start/signin"] button[type="submit"]');
    };
    step("first sign-in of another user: a passkey registered instead of an authenticator app");
    const { cdp, authenticatorId } = await addPasskeyAuthenticator(context, page);
    await signIn(env("ROOTWARD_PASSKEY_OTP"));
    await page.waitForSelector('form[action="/start/password"]');
    await page.fill('input[name="new_password"]', newPassword);
    await page.fill('input[name="confirm_password"]', newPassword);
    await page.click('form[action="/start/password"] button[type="submit"]');
    await page.waitForSelector("#webauthn-register", { state: "visible" });
    await page.screenshot({ path: join(shots, "portal-passkey-registration.png"), fullPage: true });
    await page.click("#webauthn-register");
    await page.waitForSelector('form[action="/start/signout"]');
    const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    assert.equal(credentials.length, 1, "the authenticator holds one credential");

    step("a later sign-in with the passkey");
    await signIn(newPassword);
    await page.waitForSelector("#webauthn-signin", { state: "visible" });
    await page.click("#webauthn-signin");
    await page.waitForSelector('form[action="/start/signout"]');
  }
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  await close();
}
process.exit(failed ? 1 : 0);
