// 综合考核 as a leader reads it: the reports menu leads from 统计 to the ranking of the
// townships, the bar chart is drawn, every township has a rank (the first is 1) and a total
// between 0 and 100, the weights are shown, and the CSV export and the print view answer.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, pageStatus, withShot } from '../lib.mjs';

let browser;
let leader;

before(async () => {
  browser = await launch();
  leader = await loggedInPage(browser, 'leader');
});
after(async () => {
  await browser?.close();
});

test('a leader ranks the townships for the year', { timeout: 120_000 }, async () => {
  await open(leader, '/statistics');
  const menu = await leader.locator('a[href="/assessment"]').count();
  assert.ok(menu >= 1, 'the reports menu holds 综合考核');

  await open(leader, '/assessment?period=year');
  await withShot(leader, 'assessment-year', async () => {
    const rows = leader.locator('#ranking tbody tr[data-unit]');
    const n = await rows.count();
    assert.ok(n >= 2, `a line per township: ${n}`);
    const ranks = (await leader.locator('#ranking td[data-rank]').allInnerTexts()).map((r) => r.trim());
    assert.equal(ranks[0], '1', `the first line ranks first: ${ranks}`);
    const totals = (await leader.locator('#ranking td[data-total]').allInnerTexts())
      .map((t) => t.trim())
      .filter((t) => t !== '—')
      .map(Number);
    assert.ok(totals.length >= 1 && totals.every((t) => t >= 0 && t <= 100), `totals: ${totals}`);
    for (let i = 1; i < totals.length; i++) assert.ok(totals[i - 1] >= totals[i], `sorted: ${totals}`);
    assert.ok(await leader.locator('#weights').isVisible(), 'the weights are shown');
    await leader.locator('#chart-assessment canvas').first().waitFor();
  });

  assert.equal(await pageStatus(leader, '/assessment?period=year&format=csv'), 200);
  assert.equal(await pageStatus(leader, '/assessment?period=year&view=print'), 200);
});
