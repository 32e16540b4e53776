// 订单信息泄露溯源 end to end: two victims report fake customer-service calls; on each case's
// page the analyst finds the order-source form filled in from the narrative, adds the courier
// outlet both parcels went through and what the caller knew, and saves; the leak-sources page
// then marks that outlet a suspected leak with both cases, as waybill data.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, apiOk, residentOf, withShot, screenshot } from '../lib.mjs';

let browser;
let analyst;

before(async () => {
  browser = await launch();
  analyst = await loggedInPage(browser, 'analyst');
});
after(async () => {
  await browser?.close();
});

test('two cases through one courier outlet point at the leak', { timeout: 90_000 }, async () => {
  const root = (await apiOk(analyst, 'GET', '/api/v1/me')).unit_code;
  const outlet = `城东网点${Date.now() % 100000}`;
  for (const [i, age] of [[0, 33], [1, 47]]) {
    const person = await residentOf(analyst, root, age);
    await open(analyst, '/cases');
    const report = analyst.locator('#new-case');
    await report.locator('input[name=resident_id]').fill(person.resident_id);
    await report.locator('input[name=victim_name]').fill(person.name);
    await report.locator('input[name=loss_yuan]').fill(String(3000 + i * 1000));
    await report.locator('textarea[name=narrative]').fill(
      '接到自称淘宝客服的电话，对方准确说出受害人在“佳美服饰旗舰店”购买衣服的订单和中通快递单号，称快递丢失需要理赔，诱导其共享屏幕后转账。',
    );
    await Promise.all([
      analyst.waitForURL(/\/cases\/AJ\d+$/),
      report.locator('[data-action=open-case]').click(),
    ]);
    const section = analyst.locator('#order-source');
    assert.equal(await section.getAttribute('data-recorded'), 'no');
    const form = analyst.locator('#record-order-source');
    assert.equal(await form.locator('input[name=platform]').inputValue(), '淘宝');
    assert.equal(await form.locator('input[name=shop]').inputValue(), '佳美服饰旗舰店');
    assert.equal(await form.locator('input[name=courier]').inputValue(), '中通');
    await form.locator('input[name=outlet]').fill(outlet);
    for (const detail of ['name', 'phone', 'waybill']) {
      await form.locator(`input[name=cited][value=${detail}]`).check();
    }
    if (i === 1) await screenshot(analyst, 'case-order-source-zh-desktop');
    await form.locator('[data-action=record-order-source]').click();
    await analyst.locator('#order-source[data-recorded=yes]').waitFor();
    assert.equal(await analyst.locator('#order-source [data-outlet]').innerText(), outlet);
  }

  await withShot(analyst, 'leak-sources', async () => {
    await open(analyst, '/leak-sources?days=30');
    const row = analyst.locator(`#ls-outlets tr[data-outlet="${outlet}"]`);
    assert.equal(await row.getAttribute('data-cases'), '2');
    const text = await row.innerText();
    assert.match(text, /疑似泄露源/);
    assert.match(text, /面单信息/);
    assert.match(text, /快递单号 2/);
    await screenshot(analyst, 'leak-sources-zh-desktop');
  });
});
