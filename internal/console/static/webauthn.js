// WebAuthn for the Rootward console: the only script the console has, because passkeys and
// security keys cannot be used without navigator.credentials. Everything else works without it.
// The access portal (/start) uses it too: its buttons name their endpoints in data-options and
// data-finish; without them, the console's.
"use strict";
(function () {
  if (!window.PublicKeyCredential) return;

  function b64urlToBuf(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }
  function bufToB64url(buf) {
    const bytes = new Uint8Array(buf);
    let bin = "";
    for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function csrf() {
    const el = document.querySelector('input[name="csrf"]');
    return el ? el.value : "";
  }
  async function post(url, body) {
    const resp = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf() },
      body: body === undefined ? "{}" : JSON.stringify(body),
    });
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) throw new Error(data.message || "The request failed.");
    return data;
  }
  function showError(err) {
    const el = document.getElementById("webauthn-error");
    if (!el) return;
    el.textContent = err && err.message ? err.message : String(err);
    el.hidden = false;
  }

  function endpoint(el, name, fallback) {
    return (el && el.dataset[name]) || fallback;
  }

  async function signIn() {
    const btn = document.getElementById("webauthn-signin");
    const opts = await post(endpoint(btn, "options", "/console/signin/webauthn/options"));
    const pk = opts.publicKey;
    pk.challenge = b64urlToBuf(pk.challenge);
    (pk.allowCredentials || []).forEach((c) => { c.id = b64urlToBuf(c.id); });
    const cred = await navigator.credentials.get({ publicKey: pk });
    const r = cred.response;
    const done = await post(endpoint(btn, "finish", "/console/signin/webauthn"), {
      id: cred.id, rawId: bufToB64url(cred.rawId), type: cred.type,
      response: {
        clientDataJSON: bufToB64url(r.clientDataJSON),
        authenticatorData: bufToB64url(r.authenticatorData),
        signature: bufToB64url(r.signature),
        userHandle: r.userHandle ? bufToB64url(r.userHandle) : null,
      },
    });
    window.location.assign(done.redirect);
  }

  async function register() {
    const btn = document.getElementById("webauthn-register");
    const field = document.getElementById("webauthn-name");
    const name = field ? field.value.trim() : "";
    const begin = await post(endpoint(btn, "options", "/console/mfa/webauthn/begin"), { name: name });
    const pk = begin.options.publicKey;
    pk.challenge = b64urlToBuf(pk.challenge);
    pk.user.id = b64urlToBuf(pk.user.id);
    (pk.excludeCredentials || []).forEach((c) => { c.id = b64urlToBuf(c.id); });
    const cred = await navigator.credentials.create({ publicKey: pk });
    const r = cred.response;
    const done = await post(endpoint(btn, "finish", "/console/mfa/webauthn/finish"), {
      ceremony: begin.ceremony,
      credential: {
        id: cred.id, rawId: bufToB64url(cred.rawId), type: cred.type,
        response: {
          clientDataJSON: bufToB64url(r.clientDataJSON),
          attestationObject: bufToB64url(r.attestationObject),
          transports: r.getTransports ? r.getTransports() : [],
        },
      },
    });
    window.location.assign(done.redirect);
  }

  document.querySelectorAll(".webauthn-signin, .webauthn-register").forEach((el) => { el.hidden = false; });
  const s = document.getElementById("webauthn-signin");
  if (s) s.addEventListener("click", () => signIn().catch(showError));
  const g = document.getElementById("webauthn-register");
  if (g) g.addEventListener("click", () => register().catch(showError));
})();
