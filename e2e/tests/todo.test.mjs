// 待办事项 as it is used: the station commander opens the to-do page from the nav; a joint-office
// task of the center does not show there, a pushed-down two-card lead for the station does and
// its line opens the pending leads.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open } from '../lib.mjs';

let browser;
let station;

before(async () => {
  browser = await launch();
  station = await loggedInPage(browser, 'station');
});
after(async () => {
  await browser?.close();
});

test('待办事项: the station sees its lines and opens one', { timeout: 60_000 }, async () => {
  await open(station, '/dashboard');
  await Promise.all([station.waitForURL(/\/todo$/), station.locator('nav a[href="/todo"]').first().click()]);
  const lines = await station.locator('#todo [data-todo]').evaluateAll((as) => as.map((a) => a.dataset.todo));
  for (const key of ['todo_instructions', 'todo_two_card_leads', 'todo_visits', 'todo_bulletins', 'todo_joint_tasks']) {
    assert.ok(lines.includes(key), `${key} in ${lines}`);
  }
  assert.ok(!lines.includes('todo_calls'), 'calls are the center seat group\'s');
  const leads = station.locator('#todo [data-todo=todo_two_card_leads]');
  await Promise.all([station.waitForURL(/\/two-card-leads\?state=pending$/), leads.click()]);
});
