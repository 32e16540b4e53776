// 系统管理: the administrator reads units by name — a user's unit and a unit's parent show the
// unit's name with its code beside it, not a bare code.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, apiOk } from '../lib.mjs';

let browser;
let admin;

before(async () => {
  browser = await launch();
  admin = await loggedInPage(browser, 'admin');
});
after(async () => {
  await browser?.close();
});

test('users and units on /admin show unit names next to their codes', async () => {
  const me = await apiOk(admin, 'GET', '/api/v1/me');
  const code = me.unit_code;
  await open(admin, '/admin');
  // The admin's own unit heads the units table, with its name.
  const ownName = (await admin.locator(`#units tr[data-unit="${code}"] td`).nth(1).innerText()).trim();
  assert.match(ownName, /^\p{Script=Han}+$/u);

  const adminCell = admin.locator('#users tr[data-login=admin] td[data-unit]');
  assert.equal(await adminCell.getAttribute('data-unit'), code);
  const text = (await adminCell.innerText()).trim();
  assert.equal(text, `${ownName} ${code}`);

  // The grid worker sits in a village: its name, not only its 12-digit code.
  const gridCell = admin.locator('#users tr[data-login=grid] td[data-unit]');
  const gridCode = await gridCell.getAttribute('data-unit');
  const gridText = (await gridCell.innerText()).trim();
  assert.match(gridCode, /^\d{12}$/);
  assert.match(gridText, new RegExp(`^\\p{Script=Han}.* ${gridCode}$`, 'u'));

  // A township below the admin's unit names its parent.
  const child = admin.locator(`#units tr[data-unit^="${code}"]:not([data-unit="${code}"])`).first();
  const parentCell = child.locator('td').nth(3);
  assert.equal((await parentCell.innerText()).trim(), `${ownName} ${code}`);
});
