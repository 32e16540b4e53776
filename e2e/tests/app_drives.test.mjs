// 国家反诈中心APP推广 end to end: the analyst opens a drive for two departments with a quota of
// two each; a civil servant enrols from the drive's link on a phone without logging in and gets
// a personal QR code; a relative opens that code's link, follows the steps, ticks the box and
// records their number; the promoter's page counts it, and the drive's page counts it for the
// department, the promoter's name and number masked.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, newContext, open, withShot, screenshot } from '../lib.mjs';

let browser;
let analyst;
let phone;

before(async () => {
  browser = await launch();
  analyst = await loggedInPage(browser, 'analyst');
  phone = await (await newContext(browser, { mobile: true })).newPage();
});
after(async () => {
  await browser?.close();
});

test('a civil servant brings a relative onto the national app', { timeout: 90_000 }, async () => {
  const title = `干部职工推广国家反诈中心APP ${Date.now() % 100000}`;
  await open(analyst, '/app-drives');
  const form = analyst.locator('#open-drive');
  await form.locator('input[name=title]').fill(title);
  await form.locator('input[name=quota]').fill('2');
  await form.locator('textarea[name=employers]').fill('余姚市财政局,2\n余姚市教育局,3');
  await Promise.all([
    analyst.waitForURL(/\/app-drives\/\d+$/),
    form.locator('[data-action=open-drive]').click(),
  ]);
  const driveUrl = new URL(analyst.url()).pathname;
  const link = await analyst.locator('#drive-link').innerText();
  assert.match(link, /\/t\/[a-z0-9]{8}$/);
  assert.equal(await analyst.locator('#drive-qr svg').count(), 1);

  // The civil servant's phone: no login, the drive's link.
  const serial = String(Date.now() % 10000).padStart(4, '0');
  const promoterPhone = `1390000${serial}`;
  const relativePhone = `1370000${serial}`;
  await withShot(phone, 'app-drive-phone', async () => {
    await open(phone, new URL(link).pathname);
    const enrol = phone.locator('#drive-enrol form');
    await enrol.locator('select[name=employer]').selectOption('余姚市财政局');
    await enrol.locator('input[name=name]').fill('张建国');
    await enrol.locator('input[name=phone]').fill(promoterPhone);
    await Promise.all([
      phone.waitForURL(/\/tm\/[0-9a-f]{32}$/),
      enrol.locator('[data-action=drive-enrol]').click(),
    ]);
    assert.equal(await phone.locator('#progress').getAttribute('data-referrals'), '0');
    assert.equal(await phone.locator('#my-qr svg').count(), 1);
    await screenshot(phone, 'app-drive-mine-zh-phone');
    const mine = phone.url();
    const invite = new URL(await phone.locator('#my-link').innerText()).pathname;
    assert.match(invite, /^\/r\/[a-z0-9]{8}$/);

    // The relative scans it: the steps, then area, number and the box.
    await open(phone, invite);
    assert.equal(await phone.locator('#install-steps li').count(), 4);
    assert.match(await phone.locator('#drive-invite').innerText(), /张\*/);
    const register = phone.locator('#drive-invite form');
    await register.locator('select[name=unit_code]').selectOption({ index: 2 });
    await register.locator('input[name=phone]').fill(relativePhone);
    await register.locator('input[name=installed]').check();
    await screenshot(phone, 'app-drive-invite-zh-phone');
    await Promise.all([
      phone.waitForLoadState('load'),
      register.locator('[data-action=invite-register]').click(),
    ]);
    await phone.locator('#invite-done[data-outcome=ad_done]').waitFor();

    await open(phone, new URL(mine).pathname);
    assert.equal(await phone.locator('#progress').getAttribute('data-referrals'), '1');
  });

  // The analyst: the finance bureau has one promoter with one resident, masked.
  await withShot(analyst, 'app-drive', async () => {
    await open(analyst, driveUrl);
    assert.equal(await analyst.locator('[data-stat=ad-promoters]').innerText(), '1/5');
    assert.equal(await analyst.locator('[data-stat=ad-referrals]').innerText(), '1');
    const finance = analyst.locator('#drive-employers tr[data-employer="余姚市财政局"]');
    assert.match(await finance.innerText(), /25\.0%/);
    const promoters = await analyst.locator('#drive-promoters').innerText();
    assert.match(promoters, /张\*国/);
    assert.match(promoters, new RegExp(`139\\*\\*\\*\\*${serial}`));
    assert.doesNotMatch(promoters, new RegExp(promoterPhone));
    await screenshot(analyst, 'app-drive-zh-desktop');
  });
  await open(analyst, `${driveUrl}/poster`);
  assert.equal(await analyst.locator('#poster .qr svg').count(), 1);
});
