// 涉诈号码处置 end to end: the analyst receives a warning naming a suspect number, follows the
// warning page's 申请关停 link to the prefilled form and asks China Mobile, urgently; China
// Mobile's liaison finds it on the list, answers 已处置 with the registered holder; the analyst
// reads the holder in full on the request's page (masked in the list) and the figures count
// it executed on time.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, apiOk, withShot, screenshot } from '../lib.mjs';

let browser;

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('warning → ask the operator → liaison answers → figures', { timeout: 90_000 }, async () => {
  const analyst = await loggedInPage(browser, 'analyst');
  const me = await apiOk(analyst, 'GET', '/api/v1/me');
  const people = await apiOk(analyst, 'GET', `/api/v1/people?unit=${me.unit_code}&reveal=true&limit=20`);
  const person = people.items[0];
  assert.ok(person, 'a resident of the analyst area');
  // A China Mobile number (segment 1390000), fresh for this run.
  const number = `1390000${String(Date.now() % 10000).padStart(4, '0')}`;
  const created = await apiOk(analyst, 'POST', '/api/v1/warnings', {
    resident_id: person.resident_id,
    level: 1,
    fraud_type: 'impersonate_police',
    source: 'national_push',
    note: '端到端测试：号码处置',
    suspects: [number],
  }, [201]);

  await open(analyst, `/warnings/${created.warning_id}`);
  const link = analyst.locator('[data-action=ask-disposal]').first();
  await Promise.all([analyst.waitForURL(/\/number-disposals\?ask=/), link.click()]);
  const form = analyst.locator('#request-disposal');
  assert.equal(await form.locator('input[name=number]').inputValue(), number);
  assert.equal(await form.locator('input[name=warning_id]').inputValue(), created.warning_id);
  assert.equal(await form.locator('select[name=operator]').inputValue(), 'china_mobile');
  await withShot(analyst, 'number-disposal-request', async () => {
    await form.locator('textarea[name=reason]').fill('冒充公检法，称其涉嫌洗钱，要求转账至安全账户');
    await form.locator('input[name=urgent]').check();
    await Promise.all([
      analyst.waitForURL(/\/number-disposals\/\d+$/),
      form.locator('[data-action=request-disposal]').click(),
    ]);
  });
  const id = new URL(analyst.url()).pathname.split('/').pop();
  assert.equal(await analyst.locator('h1 [data-state]').getAttribute('data-state'), 'pending');

  // China Mobile's liaison: the request on the list, answered with the holder.
  const liaison = await loggedInPage(browser, 'operator_cm');
  await open(liaison, '/number-disposals');
  await liaison.locator(`#nd-requests tr[data-request="${id}"]`).waitFor();
  await open(liaison, `/number-disposals/${id}`);
  await withShot(liaison, 'number-disposal-answer', async () => {
    const answer = liaison.locator('#execute-disposal');
    await answer.locator('input[name=holder_name]').fill('王五');
    await answer.locator('input[name=holder_id]').fill('11010519491231002X');
    await answer.locator('input[name=note]').fill('已停机');
    await answer.locator('[data-action=execute-disposal]').click();
    await liaison.locator('h1 [data-state=executed]').waitFor();
  });

  // The analyst: masked in the list, in full on the request's page; executed on time.
  await open(analyst, '/number-disposals');
  const row = analyst.locator(`#nd-requests tr[data-request="${id}"]`);
  assert.equal(await row.getAttribute('data-state'), 'executed');
  const masked = await row.locator('[data-holder]').innerText();
  assert.ok(masked.includes('*') && !masked.includes('王五'), `masked: ${masked}`);
  assert.ok(Number(await analyst.locator('[data-figure=executed]').innerText()) >= 1);
  await open(analyst, `/number-disposals/${id}`);
  assert.match(await analyst.locator('[data-holder]').innerText(), /王五 11010519491231002X/);
  await analyst.locator('[data-on-time]').waitFor();
});

test('运营商反制数据: the liaison enters last month and the leader reads it', { timeout: 60_000 }, async () => {
  const liaison = await loggedInPage(browser, 'operator_cm');
  const now = new Date(Date.now() + 8 * 3600_000); // Asia/Shanghai
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const year = last.getUTCFullYear();
  const month = `${year}-${String(last.getUTCMonth() + 1).padStart(2, '0')}`;
  await open(liaison, `/operator-figures?year=${year}`);
  // China Mobile's liaison enters China Mobile's figures only.
  const operators = await liaison.locator('#enter-of select[name=operator] option').evaluateAll((o) => o.map((x) => x.value));
  assert.deepEqual(operators, ['china_mobile']);
  const before = Number(await liaison.locator('tr[data-operator=china_mobile][data-figure=calls] [data-year]').innerText());
  const form = liaison.locator('#enter-of');
  await form.locator('input[name=month]').fill(month);
  await form.locator('input[name=calls_blocked]').fill('23400');
  await form.locator('input[name=sms_blocked]').fill('5600');
  await form.locator('input[name=numbers_shut]').fill('12');
  await form.locator('[data-action=enter-of]').click();
  await liaison.locator('#of-entries tr[data-entry]').filter({ hasText: '23400' }).first().waitFor();
  const leader = await loggedInPage(browser, 'leader');
  await open(leader, `/operator-figures?year=${year}`);
  const after = Number(await leader.locator('tr[data-operator=china_mobile][data-figure=calls] [data-year]').innerText());
  assert.equal(after, before + 23400, 'the year counts the month entered');
  assert.equal(await leader.locator('#enter-of').count(), 0, 'leaders read only');
});


test('月报表导入: the center imports an operator table and a criminal-case table', { timeout: 60_000 }, async () => {
  const analyst = await loggedInPage(browser, 'analyst');
  const unit = (await apiOk(analyst, 'GET', '/api/v1/me')).unit_code;
  const now = new Date(Date.now() + 8 * 3600_000); // Asia/Shanghai
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const year = last.getUTCFullYear();
  const month = `${year}年${last.getUTCMonth() + 1}月`;
  await open(analyst, `/operator-figures?year=${year}`);
  const calls = async () => Number(await analyst.locator('tr[data-operator=china_unicom][data-figure=calls] [data-year]').innerText());
  const before = await calls();
  // The operator's own sheet: a padded division code, a Chinese month, a branch's name; one
  // row of a unit no one knows.
  const table = `区划代码,运营商,月份,拦截诈骗电话,拦截诈骗短信,自主关停涉诈号码\n`
    + `${unit.padEnd(12, '0')},浙江联通,${month},"1,200",300,4\n`
    + `999999,中国联通,${month},5,5,5\n`;
  const form = analyst.locator('#import-figures');
  await form.locator('input[type=file][name=file]').setInputFiles({ name: '联通反制月报.csv', mimeType: 'text/csv', buffer: Buffer.from(table) });
  await form.locator('[data-action=import-figures]').click();
  const result = analyst.locator('#import-result');
  await result.waitFor();
  assert.equal(await result.locator('[data-applied]').innerText(), '1');
  assert.equal(await result.locator('#import-rejected tr[data-line="3"] [data-reason]').getAttribute('data-reason'), 'unit_outside_area');
  assert.equal(await result.locator('#import-rejected tr[data-line="3"] [data-reason]').innerText(), '单位不在本辖区', 'the reason in words');
  await result.scrollIntoViewIfNeeded();
  await screenshot(analyst, 'operator-figures-import-zh-desktop');
  // Imported again, the month is corrected, not added.
  await form.locator('input[type=file][name=file]').setInputFiles({ name: '联通反制月报.csv', mimeType: 'text/csv', buffer: Buffer.from(table) });
  await form.locator('[data-action=import-figures]').click();
  await analyst.locator('#import-result').waitFor();
  const after = await calls();
  assert.ok(after >= 1200 && after <= before + 1200, `the month counted once: ${before} → ${after}`);

  await open(analyst, `/crime-counts?year=${year}`);
  const crime = `单位代码,月份,刑事案件立案数\n${unit},${month},321\n${unit},2001-01,x\n`;
  const cform = analyst.locator('#import-figures');
  await cform.locator('input[type=file][name=file]').setInputFiles({ name: '刑事立案.csv', mimeType: 'text/csv', buffer: Buffer.from(crime) });
  await cform.locator('[data-action=import-figures]').click();
  await analyst.locator('#import-result').waitFor();
  assert.equal(await analyst.locator('#import-result [data-applied]').innerText(), '1');
  assert.equal(await analyst.locator('#import-rejected tr[data-line="3"] [data-reason]').getAttribute('data-reason'), 'bad_count');
  assert.equal(await analyst.locator(`#crime-entries tr[data-unit="${unit}"] td`).nth(last.getUTCMonth() + 1).innerText(), '321');
});
