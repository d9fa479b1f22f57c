// An Identity Center user's sign-in through an external SAML identity provider, in headless
// Chromium, for extidp_test.go: the start URL redirects to the IdP's page, whose form posts the
// signed response to the ACS, which continues to the access portal's account list. Environment:
//   ROOTWARD_URL      the portal's origin, http://localhost:PORT
//   ROOTWARD_IDP_URL  the IdP's SSO page
//   ROOTWARD_ACCOUNT  the account the user is assigned a role in
//   ROOTWARD_USER     the user's name
import assert from "node:assert/strict";
import { launchProfile } from "./chromium.mjs";

const base = process.env.ROOTWARD_URL;
const idp = process.env.ROOTWARD_IDP_URL;
const account = process.env.ROOTWARD_ACCOUNT;
const user = process.env.ROOTWARD_USER;
assert.ok(base && idp && account && user, "ROOTWARD_URL, ROOTWARD_IDP_URL, ROOTWARD_ACCOUNT and ROOTWARD_USER are required");

const { context, close } = await launchProfile();
let failed = false;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  console.log("--- the start URL redirects to the identity provider");
  await page.goto(base + "/start");
  await page.waitForURL((u) => u.toString().startsWith(idp + "?") && u.searchParams.has("SAMLRequest") && u.searchParams.has("RelayState") && u.searchParams.has("Signature"));
  await page.waitForSelector("text=Test identity provider");
  console.log("--- the identity provider posts its response to the ACS");
  await page.click("#idp-signin");
  console.log("--- on to the access portal's account list");
  await page.waitForURL(new RegExp("^" + base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "/start$"));
  await page.waitForSelector("text=AWS accounts");
  const main = await page.textContent("main");
  assert.match(main, new RegExp(account));
  assert.match(main, /Developer/);
  assert.ok(main.includes(user), "the user's name is shown");
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  await close();
}
console.log(`${failed ? 0 : 1} passed, ${failed ? 1 : 0} failed`);
process.exit(failed ? 1 : 0);
