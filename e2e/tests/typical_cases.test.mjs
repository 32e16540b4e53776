// 典型案例 end to end: the analyst opens a case and marks it as typical with the suggested
// summary (the victim's name already taken out); a grid worker of the county reads it on
// /typical-cases and opens the printable bulletin; a summary naming the victim is refused.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, api, withShot } from '../lib.mjs';

let browser;
let analyst;
let grid;

before(async () => {
  browser = await launch();
  [analyst, grid] = await Promise.all([
    loggedInPage(browser, 'analyst'),
    loggedInPage(browser, 'grid'),
  ]);
});
after(async () => {
  await browser?.close();
});

test('typical case: marked from the case page, read by a grid worker', { timeout: 90_000 }, async () => {
  await open(analyst, '/cases');
  const form = analyst.locator('#new-case');
  await form.locator('input[name=victim_name]').fill('赵晓燕');
  await form.locator('input[name=loss_yuan]').fill('52000');
  await form.locator('textarea[name=narrative]').fill('赵晓燕在短视频平台看到刷单兼职广告，添加对方后按要求垫付任务款，先后转账五万二千元后对方失联。');
  await Promise.all([
    analyst.waitForURL(/\/cases\/AJ\d+$/),
    form.locator('[data-action=open-case]').click(),
  ]);
  const caseId = new URL(analyst.url()).pathname.split('/').pop();

  await withShot(analyst, 'typical-case', async () => {
    const section = analyst.locator('#typical');
    assert.equal(await section.getAttribute('data-typical'), 'no');
    await section.locator('summary').click();
    const summary = section.locator('textarea[name=summary]');
    const suggested = await summary.inputValue();
    assert.ok(suggested.startsWith('赵某在短视频平台'), suggested);
    assert.ok(!suggested.includes('赵晓燕'), suggested);
    await section.locator('input[name=title]').fill('网络刷单兼职诈骗');
    await section.locator('input[name=advice]').fill('刷单就是诈骗，先垫付后返利的兼职一律不信');
    await section.locator('[data-action=mark-typical]').click();
    await analyst.locator('#typical[data-typical=yes]').waitFor();
  });

  // A summary naming the victim is refused, and the entry stays as it was.
  const version = await analyst.locator('#typical-form input[name=version]').inputValue();
  const refused = await api(analyst, 'POST', `/cases/${caseId}/typical`, null, {
    form: { title: '网络刷单兼职诈骗', summary: '赵晓燕被骗', advice: '', version },
  });
  assert.equal(refused.status, 400);

  await open(grid, '/typical-cases');
  await withShot(grid, 'typical-cases', async () => {
    const item = grid.locator(`#typical-cases article[data-case-id="${caseId}"]`);
    await item.waitFor();
    assert.match(await item.locator('[data-summary]').innerText(), /^赵某在短视频平台/);
    assert.equal(await item.locator(`a[href="/cases/${caseId}"]`).count(), 0, 'grid workers do not open cases');
  });
  await open(grid, '/typical-cases?view=print');
  assert.match(await grid.locator('#typical-bulletin h1').innerText(), /典型案例通报/);
  assert.ok((await grid.locator(`#typical-bulletin section[data-case-id="${caseId}"]`).count()) === 1);
});
