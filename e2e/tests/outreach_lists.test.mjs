// 精准宣防名单 as it is used: the station commander reads whom the area's frauds hit, issues a
// list of the group with the most residents left off the anti-fraud app, opens it with the
// talking points, and records a visit where the resident installed the app on the spot; the
// list's figures and the resident's row say so.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, withShot } from '../lib.mjs';

let browser;
let station;

before(async () => {
  browser = await launch();
  station = await loggedInPage(browser, 'station');
});
after(async () => {
  await browser?.close();
});

test('精准宣防名单: a list is issued and a visit recorded', { timeout: 120_000 }, async () => {
  await open(station, '/outreach/lists');
  await withShot(station, 'outreach-lists', async () => {
    const groups = await station.locator('#ol-profile tbody tr').evaluateAll((rows) =>
      rows.map((r) => ({
        group: r.dataset.group,
        unreached: Number(r.querySelector('[data-unreached]').textContent),
      })),
    );
    assert.equal(groups.length, 3, JSON.stringify(groups));
    const target = groups.reduce((a, b) => (b.unreached > a.unreached ? b : a));
    assert.ok(target.unreached > 0, JSON.stringify(groups));

    const form = station.locator('#issue-list');
    await form.locator('select[name=group]').selectOption(target.group);
    await form.locator('select[name=fraud_type]').selectOption('impersonating_police');
    await form.locator('input[name=days]').fill('14');
    await Promise.all([
      station.waitForURL(/\/outreach\/lists\/\d+$/),
      form.locator('[data-action=issue-list]').click(),
    ]);
    assert.equal(
      await station.locator('[data-figure=rows]').innerText(),
      String(target.unreached),
      'the list holds the residents the profile counted',
    );
    assert.match(await station.locator('#ol-points').innerText(), /公安机关不会电话办案/);
  });

  await withShot(station, 'outreach-list-visit', async () => {
    const row = station.locator('#ol-rows tr[data-state=pending]').first();
    const id = await row.getAttribute('data-row');
    const visit = row.locator('form[data-visit]');
    await visit.locator('select[name=result]').selectOption('reached');
    await visit.locator('input[name=app]').check();
    await visit.locator('input[name=note]').fill('已讲解冒充公检法骗局');
    await visit.locator('[data-action=record-visit]').click();
    const done = station.locator(`#ol-rows tr[data-row="${id}"]`);
    await done.and(station.locator('[data-state=reached]')).waitFor();
    assert.equal(await done.locator('[data-app]').count(), 1);
    assert.equal(await station.locator('[data-figure=reached]').innerText(), '1');
    assert.equal(await station.locator('[data-figure=app]').innerText(), '1');
  });

  await open(station, '/outreach/lists');
  assert.ok((await station.locator('#ol-lists tr[data-list]').count()) >= 1);
});
