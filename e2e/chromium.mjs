// Debian's Chromium as every browser test starts it: headless, without the sandbox (CI runs as
// root) and without anything that reaches beyond loopback.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const options = {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
};

// launchBrowser starts a browser for a test that opens a context per person.
export function launchBrowser() {
  return chromium.launch(options);
}

// launchProfile starts a browser on a profile of its own in a temporary directory, with extra
// context options; close ends the browser and removes the profile.
export async function launchProfile(extra = {}) {
  const dir = mkdtempSync(join(tmpdir(), "rootward-chromium-"));
  const context = await chromium.launchPersistentContext(dir, { ...options, ...extra });
  const close = async () => {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { context, close };
}

// addPasskeyAuthenticator gives page a virtual platform authenticator (the DevTools protocol's
// WebAuthn domain: CTAP2, resident keys, user verification always given, presence simulated), as
// a passkey on the person's own device; it returns the DevTools session and the authenticator's ID,
// whose credentials the test can read back (WebAuthn.getCredentials).
export async function addPasskeyAuthenticator(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2", transport: "internal", hasResidentKey: true,
      hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}
