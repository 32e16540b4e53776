// 财政供养人员每案通报 end to end: the analyst opens a case for a registered public-sector
// resident; the case page shows the employer notice due; the analyst issues it to the
// victim's station and records the employer's receipt; the printed notice carries its number;
// the county commander's register lists the case as receipted, with the victim masked.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, apiOk, withShot } from '../lib.mjs';

let browser;
let analyst;

before(async () => {
  browser = await launch();
  analyst = await loggedInPage(browser, 'analyst');
});
after(async () => {
  await browser?.close();
});

test('public-sector victim: case → notice issued → receipt → register', { timeout: 90_000 }, async () => {
  // A resident of the commander's county, so that the county's register lists the case.
  const commander = await loggedInPage(browser, 'commander');
  const county = (await apiOk(commander, 'GET', '/api/v1/me')).unit_code;
  const people = await apiOk(analyst, 'GET', `/api/v1/people?unit=${county}&reveal=true&limit=500`);
  const person = people.items.find((p) => p.public_sector);
  assert.ok(person, 'the synthetic city has public-sector residents');

  await open(analyst, '/cases');
  const form = analyst.locator('#new-case');
  await form.locator('input[name=resident_id]').fill(person.resident_id);
  await form.locator('input[name=loss_yuan]').fill('38000');
  await form.locator('textarea[name=narrative]').fill('自称电商平台客服来电，称其订单异常需退款，诱导下载会议软件共享屏幕，随后转账三万八千元。');
  await Promise.all([
    analyst.waitForURL(/\/cases\/AJ\d+$/),
    form.locator('[data-action=open-case]').click(),
  ]);
  const caseId = new URL(analyst.url()).pathname.split('/').pop();
  const section = analyst.locator('#employer-notice');
  assert.equal(await section.getAttribute('data-state'), 'pending');

  await withShot(analyst, 'employer-notice', async () => {
    const issue = analyst.locator('#notice-issue-form');
    if (!(await issue.locator('input[name=employer]').inputValue())) {
      await issue.locator('input[name=employer]').fill('市第二人民医院');
    }
    await issue.locator('input[name=department]').fill('市卫健局');
    await issue.locator('[data-action=issue-notice]').click();
    await analyst.locator('#employer-notice[data-state=issued]').waitFor();
    const number = await analyst.locator('[data-notice-number]').innerText();
    assert.match(number, /^〔\d{4}〕第\d+号$/);

    const receipt = analyst.locator('#notice-receipt-form');
    await receipt.locator('input[name=signatory]').fill('王主任');
    await receipt.locator('input[name=measures]').fill('召开全院职工反诈培训会');
    await receipt.locator('[data-action=record-receipt]').click();
    await analyst.locator('#employer-notice[data-state=receipted]').waitFor();
    assert.match(await analyst.locator('[data-receipt]').innerText(), /王主任/);
  });

  // The print carries the number the case page shows.
  const number = await analyst.locator('[data-notice-number]').innerText();
  await open(analyst, `/cases/${caseId}/notice`);
  assert.equal(await analyst.locator('[data-notice-number]').innerText(), number);

  // The register: the case receipted, the victim masked, the department counted.
  await open(commander, '/public-sector');
  await withShot(commander, 'public-sector', async () => {
    const row = commander.locator(`#ps-cases tr[data-case-id="${caseId}"]`);
    await row.waitFor();
    assert.equal(await row.getAttribute('data-state'), 'receipted');
    const victim = await row.locator('[data-victim]').innerText();
    assert.notEqual(victim, person.name);
    assert.ok(victim.includes('*'), `masked: ${victim}`);
    assert.ok(Number(await commander.locator('[data-figure=receipted]').innerText()) >= 1);
    await commander.locator('#ps-employers tr[data-department="市卫健局"]').first().waitFor();
  });
});
