// 分类研判组 as the center uses it: the analyst sets up a group for two fraud types, finds it
// among 我的研判组, opens it and follows its cases to the case list filtered by the group; a
// second group asking for a type the first holds is refused with the reason shown; the first
// gives the type up, the second is set up, and both are deactivated again (their types free).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, withShot } from '../lib.mjs';

let browser;
let analyst;

before(async () => {
  browser = await launch();
  analyst = await loggedInPage(browser, 'analyst');
});
after(async () => {
  await browser?.close();
});

/** Sets up a group on /analysis-groups and answers its page's id. */
async function createGroup(name, types) {
  await open(analyst, '/analysis-groups');
  const form = analyst.locator('#create-group');
  await form.locator('input[name=name]').fill(name);
  for (const t of types) await form.locator(`input[name=types][value=${t}]`).check();
  await Promise.all([
    analyst.waitForURL(/\/analysis-groups\/\d+/),
    form.locator('[data-action=create-group]').click(),
  ]);
  return Number(new URL(analyst.url()).pathname.split('/').pop());
}

async function deactivate(id) {
  await open(analyst, `/analysis-groups/${id}`);
  analyst.once('dialog', (d) => d.accept());
  // The page reloads after the answer: wait for it before going on, or the next navigation
  // is cut short by the reload.
  const [answer] = await Promise.all([
    analyst.waitForResponse((r) => r.url().endsWith(`/analysis-groups/${id}/deactivate`)),
    analyst.waitForEvent('load'),
    analyst.locator('#deactivate-group [data-action=deactivate-group]').click(),
  ]);
  assert.equal(answer.status(), 200, `group ${id} deactivated`);
}

test('分类研判组: set up, found, followed to its cases, a type held once, deactivated', { timeout: 90_000 }, async () => {
  const stamp = String(Date.now()).slice(-6);
  // A free pair of types: the demo with history sets up groups holding every type; start
  // from whatever the server has by deactivating the groups that hold these two.
  await open(analyst, '/analysis-groups');
  for (const row of await analyst.locator('#ag-groups tr[data-group]').all()) {
    const types = await row.locator('[data-types]').innerText();
    if (/虚假投资理财|虚假网络贷款/.test(types)) await deactivate(Number(await row.getAttribute('data-group')));
  }
  const first = await createGroup(`投资理财专班${stamp}`, ['fake_investment', 'fake_loan']);
  await withShot(analyst, 'analysis-group', async () => {
    assert.match(await analyst.locator('main h1').first().innerText(), new RegExp(`投资理财专班${stamp}`));
    assert.match(await analyst.locator('#group-facts').innerText(), /虚假投资理财/);
    await analyst.locator('#ag-figures').waitFor();
  });

  // 我的研判组 names it; its case count leads to the case list filtered by the group.
  await open(analyst, '/analysis-groups');
  assert.equal(await analyst.locator(`#ag-mine li[data-group="${first}"]`).count(), 1);
  const row = analyst.locator(`#ag-groups tr[data-group="${first}"]`);
  assert.match(await row.locator('[data-types]').innerText(), /虚假投资理财/);
  await Promise.all([
    analyst.waitForURL(new RegExp(`/cases\\?group=${first}`)),
    row.locator('[data-figure=cases] a').click(),
  ]);

  // A second group asking for 虚假网络贷款 is refused, the reason shown.
  await open(analyst, '/analysis-groups');
  const form = analyst.locator('#create-group');
  await form.locator('input[name=name]').fill(`网贷专班${stamp}`);
  await form.locator('input[name=types][value=fake_loan]').check();
  await form.locator('[data-action=create-group]').click();
  const toast = analyst.locator('.toast[role=alert]');
  await toast.waitFor();
  assert.match(await toast.innerText(), new RegExp(`投资理财专班${stamp}`));

  // The first gives the type up; now the second is set up.
  await open(analyst, `/analysis-groups/${first}`);
  const update = analyst.locator('#update-group');
  await update.locator('input[name=types][value=fake_loan]').uncheck();
  const [saved] = await Promise.all([
    analyst.waitForResponse((r) => r.url().endsWith(`/analysis-groups/${first}`) && r.request().method() === 'POST'),
    analyst.waitForEvent('load'),
    update.locator('[data-action=update-group]').click(),
  ]);
  assert.equal(await analyst.locator('#update-group input[name=types][value=fake_loan]').isChecked(), false);
  assert.equal(saved.status(), 200, 'the change is saved');
  const second = await createGroup(`网贷专班${stamp}`, ['fake_loan']);
  assert.notEqual(second, first);

  await deactivate(second);
  await deactivate(first);
  // No longer among 我的研判组 (active groups only).
  await open(analyst, '/analysis-groups');
  assert.equal(await analyst.locator(`#ag-mine li[data-group="${first}"]`).count(), 0);
});
