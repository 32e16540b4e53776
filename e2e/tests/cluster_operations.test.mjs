// 集群战役 as it is used: the analyst opens a case and launches a cluster operation from its page;
// adds a target by form (placed at the village where the platform knows the person lives) and
// more from a list (a bad row comes back with its line and reason); the station commander finds
// the operation among those landed in the station's area, sees only its targets, masked, and
// reports one caught with the measure taken; the case page then lists the person as a suspect
// and the operation; the statistics count it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, apiOk, residentOf, withShot } from '../lib.mjs';

let browser;
let analyst;
let station;

before(async () => {
  browser = await launch();
  [analyst, station] = await Promise.all([
    loggedInPage(browser, 'analyst'),
    loggedInPage(browser, 'station'),
  ]);
});
after(async () => {
  await browser?.close();
});

test('集群战役: targets land on the station, which reports a catch', { timeout: 120_000 }, async () => {
  const stationUnit = (await apiOk(station, 'GET', '/api/v1/me')).unit_code;
  const [first, second] = [await residentOf(analyst, stationUnit, 31), await residentOf(analyst, stationUnit, 32)];
  assert.notEqual(first.resident_id, second.resident_id);

  // A case, and the operation launched from its page.
  await open(analyst, '/cases');
  const form = analyst.locator('#new-case');
  await form.locator('input[name=victim_name]').fill('孙丽华');
  await form.locator('input[name=loss_yuan]').fill('520000');
  await form.locator('textarea[name=narrative]').fill('孙丽华被冒充客服以退款为由诱导转账，资金经多个银行卡快速取现。');
  await Promise.all([analyst.waitForURL(/\/cases\/AJ\d+$/), form.locator('[data-action=open-case]').click()]);
  const caseId = new URL(analyst.url()).pathname.split('/').pop();
  await Promise.all([
    analyst.waitForURL(/\/operations\?case=/),
    analyst.locator('[data-action=launch-operation-from-case]').click(),
  ]);
  const launchForm = analyst.locator('#operation-form');
  assert.equal(await launchForm.locator('input[name=case_id]').inputValue(), caseId);
  const name = `端到端集群战役${Date.now() % 100000}`;
  await launchForm.locator('input[name=name]').fill(name);
  await launchForm.locator('input[name=goal]').fill('同步抓捕取现车手');
  await Promise.all([analyst.waitForURL(/\/operations\/\d+$/), launchForm.locator('[data-action=launch-operation]').click()]);
  const operationId = new URL(analyst.url()).pathname.split('/').pop();

  // One target by form, placed by the platform; one more from a list with a bad row.
  const add = analyst.locator('#target-form');
  await add.locator('input[name=name]').fill(first.name);
  await add.locator('input[name=resident_id]').fill(first.resident_id);
  await add.locator('select[name=role]').selectOption('cash_mule');
  await add.locator('input[name=clue]').fill('收款卡取现');
  await Promise.all([analyst.waitForEvent('load'), add.locator('[data-action=add-target]').click()]);
  await analyst.locator('#operation-targets tr[data-target]').first().waitFor();
  const csv = '姓名,身份证号,角色,落地单位\n'
    + `${second.name},${second.resident_id},卡农,\n`
    + '查无此人,110105194912310021,车手,\n';
  const upload = analyst.locator('#import-targets');
  await upload.locator('input[type=file]').setInputFiles({ name: 'targets.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await upload.locator('[data-action=import-targets]').click();
  await analyst.locator('#import-result').waitFor();
  assert.equal((await analyst.locator('#import-result [data-applied]').innerText()).trim(), '1');
  assert.equal(await analyst.locator('#import-rejected [data-line="3"] [data-reason=bad_check_digit]').count(), 1);
  assert.equal(await analyst.locator('#operation-targets tr[data-target]').count(), 2);
  assert.equal((await analyst.locator('#operation-figures [data-figure=pending]').innerText()).trim(), '2');

  // The station: the operation is landed in its area; its targets masked.
  await open(station, '/operations');
  const row = station.locator(`#operations tr[data-operation="${operationId}"]`);
  await row.waitFor();
  assert.notEqual(await row.getAttribute('data-landed-here'), null, 'landed in the station\'s area');
  await open(station, `/operations/${operationId}`);
  const targets = station.locator('#operation-targets tr[data-target]');
  assert.equal(await targets.count(), 2);
  assert.ok(!(await station.locator('#operation-targets').innerText()).includes(first.resident_id), 'masked');
  assert.equal(await station.locator('#target-form').count(), 0, 'only the launcher adds targets');

  // A catch, reported from the station.
  const target = targets.first();
  await target.locator('details[data-report] summary').click();
  const report = target.locator('form[data-report-form]');
  await report.locator('select[name=state]').selectOption('caught');
  await report.locator('select[name=measure]').selectOption('criminal_detention');
  const now = new Date(Date.now() + 8 * 3_600_000 - 60_000).toISOString().slice(0, 16);
  await report.locator('input[name=measure_at]').fill(now);
  await withShot(station, 'cluster-operation-report', async () => {
    await Promise.all([station.waitForEvent('load'), report.locator('[data-action=report-target]').click()]);
    await station.locator('#operation-targets tr[data-state=caught]').waitFor();
  });
  assert.equal((await station.locator('#operation-figures [data-figure=caught]').innerText()).trim(), '1');

  // The case page: the person is a suspect of the case, the operation listed.
  await open(analyst, `/cases/${caseId}`);
  await withShot(analyst, 'cluster-operation-case', async () => {
    assert.equal(await analyst.locator('#suspects tr[data-suspect-id]').count(), 1);
    assert.match(await analyst.locator('#suspects [data-measure]').innerText(), /刑事拘留/);
    assert.equal(await analyst.locator(`#case-operations li[data-operation="${operationId}"]`).count(), 1);
  });
  await open(analyst, `/operations/${operationId}`);
  await withShot(analyst, 'cluster-operation', async () => {
    assert.equal((await analyst.locator('#operation-figures [data-figure=caught]').innerText()).trim(), '1');
    assert.equal(await analyst.locator('#operation-progress tbody tr').count() >= 1, true);
  });
});
