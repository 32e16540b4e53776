// Login, the landing page, the language toggle, the identity API and logout.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newContext, login, loggedInPage, api, csrfToken, pageStatus, password, withShot,
} from '../lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('an anonymous visitor is sent to the login page, in Chinese by default', async () => {
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  await page.goto('/');
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.match(await page.locator('html').getAttribute('lang'), /^zh/);
  await page.locator('input[name=login]').waitFor();
  await page.locator('input[name=password][type=password]').waitFor();
  assert.match(await page.locator('button[type=submit]').innerText(), /登录/);
  // The JSON API answers 401, not a redirect.
  const me = await api(page, 'GET', '/api/v1/me');
  assert.equal(me.status, 401);
  await ctx.close();
});

test('a wrong password is refused with a message and no session', async () => {
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  await page.goto('/login');
  await page.locator('input[name=login]').fill('analyst');
  await page.locator('input[name=password]').fill('not-the-password');
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'),
    page.locator('button[type=submit]').click(),
  ]);
  assert.equal(res.status(), 401);
  await page.locator('[role=alert]').waitFor();
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.equal((await api(page, 'GET', '/api/v1/me')).status, 401);
  await ctx.close();
});

test('login lands where the role works: the analyst on the dashboard of the own unit', async () => {
  const page = await loggedInPage(browser, 'analyst');
  await withShot(page, 'login-home', async () => {
    assert.equal(new URL(page.url()).pathname, '/dashboard');
    const body = await page.locator('body').innerText();
    assert.match(body, /陈晓/);
    assert.match(body, /余姚市/);
    const token = await page.locator('body').getAttribute('hx-headers');
    assert.ok(token && JSON.parse(token)['X-CSRF-Token'], 'body carries hx-headers with the CSRF token');
  });
  await page.context().close();
});

test('login follows a same-site next and ignores a foreign one', async () => {
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  await page.goto('/login?next=/api/v1/me');
  await page.locator('input[name=login]').fill('grid');
  await page.locator('input[name=password]').fill(password('grid'));
  await Promise.all([page.waitForURL('**/api/v1/me'), page.locator('button[type=submit]').click()]);
  assert.match(await page.locator('body').innerText(), /"login"\s*:\s*"grid"/);

  const other = await ctx.newPage();
  await other.goto('/login?next=//evil.example/');
  await other.locator('input[name=login]').fill('grid');
  await other.locator('input[name=password]').fill(password('grid'));
  await Promise.all([
    other.waitForURL((u) => u.pathname === '/m'),
    other.locator('button[type=submit]').click(),
  ]);
  assert.equal(new URL(other.url()).host, new URL(page.url()).host);
  await ctx.close();
});

test('/api/v1/me tells each demo user who they are; a CSRF token is available', async () => {
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  const seen = {};
  for (const user of ['admin', 'analyst', 'leader', 'commander', 'station', 'grid', 'bank_icbc', 'operator_cm']) {
    await ctx.clearCookies();
    await login(page, user);
    const me = await api(page, 'GET', '/api/v1/me');
    assert.equal(me.status, 200, `${user}: ${me.text}`);
    assert.equal(me.json.login, user);
    assert.ok(me.json.display_name, `${user} has a display name`);
    assert.match(me.json.unit_code, /^\d{6,12}$/, `${user} unit code`);
    assert.ok(Array.isArray(me.json.roles) && me.json.roles.length > 0, `${user} roles`);
    assert.ok(Array.isArray(me.json.permissions), `${user} permissions`);
    assert.ok((await csrfToken(page)).length >= 16, `${user} CSRF token`);
    seen[user] = me.json;
  }
  // The demo tree: commander at the county root, station one level down, grid in its village.
  assert.equal(seen.commander.unit_code, '330281');
  assert.ok(seen.station.unit_code.startsWith('330281') && seen.station.unit_code !== '330281');
  assert.ok(seen.grid.unit_code.startsWith(seen.station.unit_code.slice(0, 9)));
  assert.equal(seen.bank_icbc.bank_code, 'ICBC');
  assert.equal(seen.operator_cm.operator, 'china_mobile');
  assert.deepEqual(seen.operator_cm.roles, ['operator_liaison']);
  await ctx.close();
});

test('the language toggle switches the UI to English and back', async () => {
  const page = await loggedInPage(browser, 'analyst');
  await withShot(page, 'lang-toggle', async () => {
    await page.goto('/');
    assert.match(await page.locator('html').getAttribute('lang'), /^zh/);
    await Promise.all([page.waitForURL((u) => u.pathname === '/dashboard'), page.locator('a.lang').click()]);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    const cookies = await page.context().cookies();
    assert.equal(cookies.find((c) => c.name === 'lang')?.value, 'en');
    assert.match(await page.locator('a.lang').innerText(), /中文/);

    await page.goto('/lang/zh');
    assert.match(await page.locator('html').getAttribute('lang'), /^zh/);
    await page.goto('/lang/en');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  });
  await page.context().close();

  // The login page follows the cookie too.
  const ctx = await newContext(browser, { lang: 'en' });
  const anon = await ctx.newPage();
  await anon.goto('/login');
  assert.equal(await anon.locator('html').getAttribute('lang'), 'en');
  assert.match(await anon.locator('button[type=submit]').innerText(), /log\s*in|sign\s*in/i);
  await ctx.close();
});

test('a write without the CSRF token is refused; logout with it ends the session', async () => {
  const page = await loggedInPage(browser, 'grid');
  const bare = await page.request.post('/logout', { failOnStatusCode: false, maxRedirects: 0 });
  assert.equal(bare.status(), 403);
  assert.equal((await api(page, 'GET', '/api/v1/me')).status, 200, 'still logged in');

  // The logout button posts through htmx with the token from hx-headers.
  await page.goto('/');
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/login'),
    page.locator('button[hx-post="/logout"]').click(),
  ]);
  assert.equal((await api(page, 'GET', '/api/v1/me')).status, 401);
  assert.equal(await pageStatus(page, '/'), 303);
  await page.context().close();
});
