// How far outreach reaches, as it is used: the commander records a short video on the new-media
// page and counts its views again a day later; asks a victim (on the case page) whether a talk
// had reached them before; enters the county's criminal cases of last month and finds
// 电诈案件占刑事案件比 on its page and the victims' 面对面宣防率 on the statistics page. The
// analyst opens the case the victim reported and records the answer.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, open, apiOk, residentOf, withShot } from '../lib.mjs';

let browser;
let commander;
let analyst;
let leader;

before(async () => {
  browser = await launch();
  [commander, analyst, leader] = await Promise.all([
    loggedInPage(browser, 'commander'),
    loggedInPage(browser, 'analyst'),
    loggedInPage(browser, 'leader'),
  ]);
});
after(async () => {
  await browser?.close();
});

const figure = async (page, sel) => Number((await page.locator(sel).innerText()).trim());

test('新媒体宣传: a post recorded and counted again adds to the totals', { timeout: 60_000 }, async () => {
  await open(commander, '/outreach/posts');
  const before = { posts: await figure(commander, '[data-figure=posts]'), views: await figure(commander, '[data-figure=views]') };
  const title = `退款先核实，客服不会让你共享屏幕-${Date.now() % 100000}`;
  await withShot(commander, 'outreach-posts', async () => {
    const form = commander.locator('#record-post');
    await form.locator('select[name=platform]').selectOption('douyin');
    await form.locator('select[name=form]').selectOption('video');
    await form.locator('select[name=topic]').selectOption('methods');
    await form.locator('input[name=account]').fill('余姚反诈');
    await form.locator('input[name=title]').fill(title);
    await form.locator('input[name=views]').fill('8600');
    await form.locator('input[name=shares]').fill('120');
    await form.locator('[data-action=record-post]').click();
    await commander.locator('#posts tr[data-post]').filter({ hasText: title }).waitFor();
    assert.equal(await figure(commander, '[data-figure=posts]'), before.posts + 1);
    assert.equal(await figure(commander, '[data-figure=views]'), before.views + 8600);
  });
  // A day later the video has more views: counted again on its row.
  const row = commander.locator('#posts tr[data-post]').filter({ hasText: title });
  await row.locator('input[name=views]').fill('21000');
  await row.locator('[data-action=count-post]').click();
  await commander.locator('#posts tr[data-post] [data-views]').filter({ hasText: '21000' }).waitFor();
  assert.equal(await figure(commander, '[data-figure=views]'), before.views + 21000);
});

test('受害人回访 and 电诈占刑事案件比: recorded and reported', { timeout: 60_000 }, async () => {
  // A victim reports; asked, they say a talk had reached them before.
  const root = (await apiOk(analyst, 'GET', '/api/v1/me')).unit_code;
  const person = await residentOf(analyst, root, 31);
  await open(analyst, '/cases');
  const report = analyst.locator('#new-case');
  await report.locator('input[name=resident_id]').fill(person.resident_id);
  await report.locator('input[name=victim_name]').fill(person.name);
  await report.locator('input[name=loss_yuan]').fill('5000');
  await report.locator('textarea[name=narrative]').fill('接到自称快递客服电话称包裹丢失理赔，按要求共享屏幕后被转走五千元。');
  await Promise.all([
    analyst.waitForURL(/\/cases\/AJ\d+$/),
    report.locator('[data-action=open-case]').click(),
  ]);
  assert.equal(await analyst.locator('#prior-outreach').getAttribute('data-prior-outreach'), 'unknown');
  const form = analyst.locator('#set-prior-outreach');
  await form.locator('select[name=prior_outreach]').selectOption('face_to_face');
  await form.locator('[data-action=set-prior-outreach]').click();
  await analyst.locator('#prior-outreach[data-prior-outreach=face_to_face]').waitFor();

  // Last month's criminal cases of the county: the share of fraud appears beside it.
  const now = new Date(Date.now() + 8 * 3600_000); // Asia/Shanghai
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const month = `${last.getUTCFullYear()}-${String(last.getUTCMonth() + 1).padStart(2, '0')}`;
  await open(commander, `/crime-counts?year=${last.getUTCFullYear()}`);
  await withShot(commander, 'crime-counts', async () => {
    const enter = commander.locator('#enter-crime');
    await enter.locator('input[name=month]').fill(month);
    await enter.locator('input[name=cases]').fill('400');
    await enter.locator('[data-action=enter-crime]').click();
    await commander.locator(`#crime-months tr[data-month="${month}"] [data-criminal]`).filter({ hasText: '400' }).waitFor();
    const fraud = await figure(commander, `#crime-months tr[data-month="${month}"] [data-fraud]`);
    const share = (await commander.locator(`#crime-months tr[data-month="${month}"] [data-share]`).innerText()).trim();
    assert.equal(share, `${(fraud * 100 / 400).toFixed(1)}%`);
  });

  // The leader: the victims' face-to-face rate counts the answer (the demo's cases are
  // reported as it starts).
  await open(leader, '/statistics?period=year');
  const rate = (await leader.locator('[data-stat=victims-face-to-face]').innerText()).trim();
  assert.match(rate, /^\d+\.\d\d%$/, `a rate once a victim is asked: ${rate}`);
  assert.notEqual(rate, '0.00%');
});
