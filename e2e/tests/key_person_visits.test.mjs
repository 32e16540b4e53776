// 包保责任人 and 定期走访, as they are used: an analyst lists a returnee (劝返回流, a monthly
// visit by default), names the officer responsible — an officer without a login, by name and
// phone — and sets a weekly cycle on the dossier; each write reloads the dossier with the new
// values and an entry on the timeline. The list shows the officer with the phone masked and
// the next visit, and filters 到期未走访 and 我包保的; the figures count overdue visits. A
// visit that finds the returnee away shows where on the dossier and in the list.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, apiOk, residentOf } from '../lib.mjs';

let browser;
let analyst;

before(async () => {
  browser = await launch();
  analyst = await loggedInPage(browser, 'analyst');
});
after(async () => {
  await browser?.close();
});

test('an analyst names the responsible officer and the visit cycle', { timeout: 120_000 }, async () => {
  const root = (await apiOk(analyst, 'GET', '/api/v1/me')).unit_code;
  const person = await residentOf(analyst, root, 17);

  await open(analyst, '/key-persons');
  const form = analyst.locator('#add-key-person');
  await form.locator('input[name=resident_id]').fill(person.resident_id);
  await form.locator('select[name=category]').selectOption('returned');
  await form.locator('textarea[name=reason]').fill('端到端测试：缅北回流人员');
  await Promise.all([
    analyst.waitForURL(/\/key-persons\/[^/?]+$/),
    form.locator('[data-action=add-key-person]').click(),
  ]);
  const dossier = new URL(analyst.url()).pathname;
  const cycle = analyst.locator('#key-person-facts [data-visit-cycle]');
  assert.equal(await cycle.getAttribute('data-visit-cycle'), '30', 'monthly by default');
  assert.match(await analyst.locator('#key-person-facts [data-next-visit]').innerText(), /^\d{4}-\d{2}-\d{2}/);

  const assign = analyst.locator('#assign-key-person');
  await assign.locator('select[name=officer]').selectOption('');
  await assign.locator('input[name=officer_name]').fill('王警官');
  await assign.locator('input[name=officer_phone]').fill('13900002222');
  await Promise.all([
    analyst.waitForEvent('load'),
    assign.locator('[data-action=assign-key-person]').click(),
  ]);
  await analyst.locator('#key-person-events li[data-event=assigned]').first().waitFor();
  const officer = await analyst.locator('#key-person-facts [data-responsible]').innerText();
  assert.ok(officer.includes('王警官') && officer.includes('13900002222'), officer);

  const setCycle = analyst.locator('#key-person-cycle');
  await setCycle.locator('input[name=cycle]').fill('7');
  await Promise.all([
    analyst.waitForEvent('load'),
    setCycle.locator('[data-action=set-visit-cycle]').click(),
  ]);
  await analyst.locator('#key-person-events li[data-event=visit_cycle]').first().waitFor();
  assert.equal(await cycle.getAttribute('data-visit-cycle'), '7');

  // A visit finds the returnee gone to work in 深圳, with a new number (动态管控).
  const visit = analyst.locator('#add-visit');
  await visit.locator('textarea[name=note]').fill('电话核实，已外出务工');
  await visit.locator('select[name=control]').selectOption('away');
  await visit.locator('input[name=control_place]').fill('广东省深圳市');
  await visit.locator('input[name=contact]').fill('13900003333');
  await Promise.all([
    analyst.waitForEvent('load'),
    visit.locator('[data-action=add-visit]').click(),
  ]);
  await analyst.locator('#key-person-facts [data-control=away]').waitFor();
  assert.match(await analyst.locator('#key-person-facts [data-control]').innerText(), /外出 · 广东省深圳市/);
  assert.equal(await analyst.locator('#key-person-facts [data-contact]').innerText(), '13900003333');

  await open(analyst, '/key-persons?category=returned');
  const row = analyst.locator(`#key-persons tr[data-key-person="${dossier.split('/').pop()}"]`);
  const responsible = await row.locator('[data-responsible]').innerText();
  assert.ok(responsible.includes('王警官') && responsible.includes('139****2222'), responsible);
  assert.match(await row.locator('[data-next-visit]').innerText(), /^\d{4}-\d{2}-\d{2}/);
  assert.match(await analyst.locator('[data-figure=visits_overdue]').innerText(), /^\d+$/);

  assert.equal(await row.locator('[data-control]').getAttribute('data-control'), 'away');
  await open(analyst, '/key-persons?control=away');
  await analyst.locator(`#key-persons tr[data-key-person="${dossier.split('/').pop()}"]`).waitFor();

  await open(analyst, '/key-persons?visit=overdue');
  assert.equal(await analyst.locator('select[name=visit]').inputValue(), 'overdue');
  await open(analyst, '/key-persons?mine=1');
  assert.ok(await analyst.locator('input[name=mine]').isChecked());
  assert.equal(await analyst.locator(`#key-persons tr[data-key-person="${dossier.split('/').pop()}"]`).count(), 0,
    'the analyst is not responsible for it');
});
