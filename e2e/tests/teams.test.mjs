// 劝阻队伍 end to end: the county commander adds the grid worker of a village on the page,
// imports the station's officers and the village cadre from a roster, and sees the village's
// team full, the members masked and one in full on its own page; a red warning for a resident of
// that village shows the team on the instruction's page and on the grid worker's phone.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, api, apiOk, withShot, residentOf, eventually } from '../lib.mjs';

let browser;
let commander;
let analyst;
let grid;

before(async () => {
  browser = await launch();
  [commander, analyst, grid] = await Promise.all([
    loggedInPage(browser, 'commander'),
    loggedInPage(browser, 'analyst'),
    loggedInPage(browser, 'grid', { mobile: true }),
  ]);
});
after(async () => {
  await browser?.close();
});

test('a village gets its four-part team and an instruction shows it', { timeout: 120_000 }, async () => {
  const village = (await apiOk(grid, 'GET', '/api/v1/me')).unit_code;
  const township = village.slice(0, 9);
  const serial = String(Date.now() % 10000).padStart(4, '0');

  // The grid worker, on the page's form, the village by its code.
  await open(commander, '/teams');
  const form = commander.locator('#add-member');
  await form.locator('input[name=unit]').fill(village);
  await form.locator('select[name=kind]').selectOption('grid_worker');
  await form.locator('input[name=name]').fill('张丽');
  await form.locator('input[name=phone]').fill(`1390001${serial}`);
  await form.locator('input[name=login]').fill('grid');
  await Promise.all([
    commander.waitForURL(/\/teams\/members\/\d+$/),
    form.locator('[data-action=add-member]').click(),
  ]);
  assert.equal(await commander.locator('[data-phone]').innerText(), `1390001${serial}`);
  assert.match(await commander.locator('[data-login]').innerText(), /\(grid\)/);

  // The rest from a roster: the station's two officers serve every village of the township.
  await open(commander, '/teams');
  const roster = [
    '村（社区）,岗位,姓名,手机号',
    `${township},派出所反诈民警,李卫国,1390002${serial}`,
    `${township},社区民警,赵建华,1390003${serial}`,
    `${village},村支部书记,王秀英,1390004${serial}`,
    `${village},志愿者,孙志愿,1390005${serial}`,
  ].join('\n');
  await commander.locator('#import-team input[type=file]').setInputFiles({
    name: '劝阻队伍.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(roster, 'utf8'),
  });
  await commander.locator('[data-action=import-team]').click();
  await commander.locator('#import-result').waitFor();
  assert.equal(await commander.locator('#import-result [data-added]').innerText(), '3');
  assert.equal(await commander.locator('#import-result [data-rejected]').innerText(), '1');
  assert.equal(
    await commander.locator('#import-rejected [data-reason]').getAttribute('data-reason'),
    'unknown_team_kind',
  );

  // The village's team is full, the members masked.
  await withShot(commander, 'teams', async () => {
    await open(commander, `/teams?township=${township}`);
    const row = commander.locator(`tr[data-village="${village}"]`);
    assert.equal(await row.getAttribute('data-complete'), 'true');
    const grid = await row.locator('td[data-kind=grid_worker]').innerText();
    assert.match(grid, /张\*/);
    assert.ok(!grid.includes(`1390001${serial}`), 'the number is masked');
    assert.ok(Number(await commander.locator('[data-figure=complete]').innerText()) >= 1);
  });

  // A red warning for a resident of that village: the instruction's page names the team.
  const resident = await residentOf(analyst, village, 1);
  const created = await api(analyst, 'POST', '/api/v1/warnings', {
    resident_id: resident.resident_id,
    level: 1,
    fraud_type: 'impersonate_police',
    source: 'national_push',
    note: '端到端测试：劝阻队伍',
  });
  assert.equal(created.status, 201, created.text);
  await withShot(commander, 'teams-instruction', async () => {
    await open(commander, `/instructions/${created.json.instruction_id}`);
    const team = commander.locator('#instruction-team');
    await team.waitFor();
    assert.equal(await team.locator('[data-member]').count(), 4);
    assert.equal(await team.locator('[data-team-missing]').count(), 0);
    // Pushing down: the units nobody there can receive it at are marked, the village is not.
    const select = commander.locator('select[name=to_unit]');
    assert.equal(await select.inputValue(), village, 'the resident\'s village is preselected');
    assert.equal(await select.locator('option:checked[data-no-account]').count(), 0);
    assert.ok(await select.locator('option[data-no-account]').count() > 0, 'other stations are marked');
  });

  // Signed and pushed down to the village by the county (the village is preselected).
  const id = created.json.instruction_id;
  await open(commander, `/instructions/${id}`);
  await commander.locator('[data-action=sign]').first().click();
  await eventually(async () => (await apiOk(commander, 'GET', `/api/v1/instructions/${id}`)).status === 'signed',
    { message: 'the instruction signed' });
  await open(commander, `/instructions/${id}`);
  await commander.locator('[data-action=delegate]').first().click();
  await eventually(async () => (await apiOk(commander, 'GET', `/api/v1/instructions/${id}`)).holder_unit === village,
    { message: 'the instruction held by the village' });

  // The grid worker's phone: the task lists the team to go out with, masked, each a link to the
  // member's page with the number to call.
  await open(grid, `/m/instructions/${id}`);
  const onPhone = grid.locator('#task-team');
  await onPhone.waitFor();
  assert.equal(await onPhone.locator('[data-member]').count(), 4);
  const cadre = onPhone.locator('[data-member]', { hasText: '王*' });
  assert.ok(!(await onPhone.innerText()).includes(`1390004${serial}`), 'numbers masked');
  await Promise.all([grid.waitForURL(/\/teams\/members\/\d+$/), cadre.locator('a').click()]);
  assert.equal(await grid.locator('[data-phone]').innerText(), `1390004${serial}`);
});
