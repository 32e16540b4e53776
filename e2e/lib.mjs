// Shared helpers of the browser tests: Chromium, login, the JSON API with its CSRF token,
// and screenshots. The server is started by run.sh, which passes its address in BASE_URL.

import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '..');

export const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Desktop and mobile viewports used by every test. */
export const DESKTOP = { width: 1440, height: 900 };
export const MOBILE = { width: 390, height: 844 };

/** Demo password convention of `fanzha demo`. */
export const password = (login) => `demo-${login}-2026`;

/** Headless Debian Chromium; no browser download, no network chatter, no sandbox (CI runs as root). */
export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

/**
 * A fresh browser context (own cookies) with base URL set. `mobile: true` gives the 390×844
 * touch viewport of a grid worker's phone; `lang` presets the language cookie.
 */
export async function newContext(browser, { mobile = false, lang } = {}) {
  const ctx = await browser.newContext({
    baseURL: BASE_URL,
    viewport: mobile ? MOBILE : DESKTOP,
    deviceScaleFactor: 1,
    isMobile: mobile,
    hasTouch: mobile,
    locale: lang === 'en' ? 'en-US' : 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  ctx.setDefaultTimeout(10_000);
  if (lang) {
    const { hostname } = new URL(BASE_URL);
    await ctx.addCookies([{ name: 'lang', value: lang, domain: hostname, path: '/' }]);
  }
  return ctx;
}

/** Logs in through the form on /login, as a person would; resolves on the page after login. */
export async function login(page, user, pass = password(user)) {
  await page.goto('/login');
  await page.locator('input[name=login]').fill(user);
  await page.locator('input[name=password]').fill(pass);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.locator('form[action="/login"] button[type=submit]').click(),
  ]);
  return page;
}

/** A page of a new context, logged in as `user`. */
export async function loggedInPage(browser, user, opts = {}) {
  const ctx = await newContext(browser, opts);
  const page = await ctx.newPage();
  await login(page, user);
  return page;
}

function requestOf(target) {
  // A Page or a BrowserContext has `.request` sharing its cookies; an APIRequestContext is itself.
  return target.request ?? target;
}

/** Pulls the token out of `hx-headers='{"X-CSRF-Token": "…"}'`. */
export function csrfFromHtml(html) {
  const m = html
    .replace(/&quot;|&#34;|&#x22;/g, '"')
    .match(/hx-headers\s*=\s*'?\{[^}]*"X-CSRF-Token"\s*:\s*"([^"]+)"/i);
  return m ? m[1] : null;
}

/**
 * The session's CSRF token: field `csrf_token` of GET /api/v1/me, or else the `hx-headers`
 * attribute of the body of an HTML page.
 */
export async function csrfToken(target) {
  const req = requestOf(target);
  const me = await req.get('/api/v1/me', { headers: { accept: 'application/json' } });
  assert.equal(me.status(), 200, 'GET /api/v1/me needs a logged-in session');
  const body = await me.json();
  if (body.csrf_token) return body.csrf_token;
  if (typeof target.evaluate === 'function' && target.url().startsWith(BASE_URL)) {
    const attr = await target
      .evaluate(() => document.body && document.body.getAttribute('hx-headers'))
      .catch(() => null);
    if (attr) return JSON.parse(attr)['X-CSRF-Token'];
  }
  const home = await req.get('/', { headers: { accept: 'text/html' } });
  const token = csrfFromHtml(await home.text());
  assert.ok(token, 'no CSRF token in /api/v1/me nor in the hx-headers of /');
  return token;
}

/**
 * Calls the JSON API with the caller's session (a Page, BrowserContext or APIRequestContext).
 * Writes carry X-CSRF-Token. Resolves to { status, json, text, headers } without throwing on
 * HTTP errors, so tests assert the status themselves.
 */
export async function api(target, method, path, body, opts = {}) {
  const req = requestOf(target);
  const headers = { accept: 'application/json' };
  const m = method.toUpperCase();
  if (!['GET', 'HEAD', 'OPTIONS'].includes(m)) {
    headers['x-csrf-token'] = await csrfToken(target);
  }
  const options = { method: m, headers, failOnStatusCode: false, maxRedirects: 0 };
  if (body !== undefined && body !== null) options.data = body;
  if (opts.form) options.form = opts.form;
  const res = await req.fetch(path, options);
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status(), json, text, headers: res.headers() };
}

/** Like `api`, asserting the expected status; returns the JSON body. */
export async function apiOk(target, method, path, body, expected = [200, 201]) {
  const r = await api(target, method, path, body);
  const ok = Array.isArray(expected) ? expected.includes(r.status) : r.status === expected;
  assert.ok(ok, `${method} ${path} answered ${r.status}: ${r.text.slice(0, 300)}`);
  return r.json;
}

/**
 * Where screenshots go: docs/screenshots/ when SCREENSHOTS=1 (to refresh the committed
 * pictures), otherwise E2E_OUT (default /tmp/fanzha-e2e) so a plain run leaves the work tree clean.
 */
export function screenshotDir() {
  return process.env.SCREENSHOTS === '1'
    ? join(REPO_ROOT, 'docs', 'screenshots')
    : join(process.env.E2E_OUT || '/tmp/fanzha-e2e', 'screenshots');
}

/** A PNG of the viewport (never the full page, to keep files small); returns its path. */
export async function screenshot(page, name) {
  const dir = screenshotDir();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: false, type: 'png', animations: 'disabled' });
  return path;
}

/**
 * Runs `fn(page)`; on failure saves a screenshot named `failed-NAME` next to the others
 * and rethrows, so a red test leaves a picture of what the browser showed.
 */
export async function withShot(page, name, fn) {
  try {
    return await fn(page);
  } catch (e) {
    const p = await screenshot(page, `failed-${name}`).catch(() => null);
    if (p) e.message += `\n(screenshot: ${p})`;
    throw e;
  }
}

/**
 * Navigates to `path` and asserts the HTTP status of the document (Chromium turns an error
 * status with an empty body into a navigation error; this reports the status instead).
 */
export async function open(page, path, expected = 200) {
  let status = null;
  const onResponse = (r) => {
    if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) status = r.status();
  };
  page.on('response', onResponse);
  try {
    const res = await page.goto(path, { waitUntil: 'load' });
    if (res) status = res.status();
  } catch (e) {
    if (status === null) throw e;
  } finally {
    page.off('response', onResponse);
  }
  assert.equal(status, expected, `GET ${path} answered ${status}, expected ${expected}`);
  return page;
}

/** GET a page as a browser would (Accept: text/html) and return its status without following redirects. */
export async function pageStatus(target, path) {
  const res = await requestOf(target).get(path, {
    headers: { accept: 'text/html' },
    failOnStatusCode: false,
    maxRedirects: 0,
  });
  return res.status();
}

/** Reads an integer out of an element's text (counters may be formatted like "1,234"). */
export async function counterValue(page, selector) {
  const el = page.locator(selector).first();
  const attr = await el.getAttribute('data-value');
  const raw = attr ?? (await el.innerText());
  const n = parseInt(String(raw).replace(/[^\d-]/g, ''), 10);
  assert.ok(Number.isFinite(n), `${selector} shows no number: ${JSON.stringify(raw)}`);
  return n;
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually(fn, { timeoutMs = 10_000, intervalMs = 250, message = 'condition' } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${message}: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * The `index`-th resident of `unit` with full data, read by a user allowed to see it (the
 * reveal is audited). With `optional`, resolves to null when the unit has none.
 */
export async function residentOf(page, unit, index = 0, { optional = false } = {}) {
  const r = await apiOk(page, 'GET', `/api/v1/people?unit=${unit}&reveal=true&limit=${index + 1}`);
  const item = r.items?.[Math.min(index, (r.items?.length ?? 1) - 1)];
  if (!item && optional) return null;
  assert.ok(item?.resident_id, `no residents in unit ${unit}`);
  return item;
}
