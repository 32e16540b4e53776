// 反诈知识测试 end to end: the analyst loads the built-in questions and opens a campaign for two
// public employers; a civil servant opens the public link on a phone without logging in, names
// the area and employer, answers every question, sees the score with each answer explained and
// signs the pledge; the campaign's page counts them against their employer's staff, their number
// masked, and its poster carries the QR code.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loggedInPage, newContext, open, withShot, screenshot } from '../lib.mjs';

let browser;
let analyst;
let phone;

before(async () => {
  browser = await launch();
  analyst = await loggedInPage(browser, 'analyst');
  phone = await (await newContext(browser, { mobile: true })).newPage();
});
after(async () => {
  await browser?.close();
});

test('a public employee takes the quiz the center opened', { timeout: 90_000 }, async () => {
  const title = `财政供养人员反诈知识测试 ${Date.now() % 100000}`;
  await open(analyst, '/quizzes/questions');
  await Promise.all([
    analyst.waitForURL(/\/quizzes\/questions\?loaded=\d+$/),
    analyst.locator('[data-action=load-builtin]').click(),
  ]);
  assert.ok(Number(await analyst.locator('[data-total]').getAttribute('data-total')) >= 40);

  await open(analyst, '/quizzes');
  const form = analyst.locator('#open-quiz');
  await form.locator('input[name=title]').fill(title);
  await form.locator('select[name=audience]').selectOption('public_sector');
  await form.locator('input[name=question_count]').fill('5');
  await form.locator('textarea[name=employers]').fill('余姚市财政局,2\n余姚市教育局,3');
  await Promise.all([
    analyst.waitForURL(/\/quizzes\/\d+$/),
    form.locator('[data-action=open-quiz]').click(),
  ]);
  const campaignUrl = analyst.url();
  const link = await analyst.locator('#quiz-link').innerText();
  assert.match(link, /\/q\/[a-z0-9]{8}$/);
  assert.equal(await analyst.locator('#quiz-qr svg').count(), 1);

  // The resident's phone: no login, the public link.
  await withShot(phone, 'quiz-phone', async () => {
    await open(phone, new URL(link).pathname);
    const start = phone.locator('form[action$="/start"]');
    await start.locator('select[name=unit_code]').selectOption({ index: 2 });
    await start.locator('select[name=employer]').selectOption('余姚市财政局');
    await start.locator('input[name=phone]').fill('13900005678');
    await Promise.all([
      phone.waitForURL(/\/qa\/[0-9a-f]{32}$/),
      start.locator('[data-action=quiz-start]').click(),
    ]);
    const questions = phone.locator('fieldset.quiz-q');
    assert.equal(await questions.count(), 5);
    for (let i = 0; i < 5; i += 1) {
      await questions.nth(i).locator('label.quiz-option').first().click();
    }
    await screenshot(phone, 'quiz-zh-phone');
    await Promise.all([
      phone.waitForURL(/\/qa\/[0-9a-f]{32}#result$/),
      phone.locator('[data-action=quiz-submit]').click(),
    ]);
    const score = Number(await phone.locator('#result').getAttribute('data-score'));
    assert.ok(score >= 0 && score <= 100, `score ${score}`);
    assert.equal(await phone.locator('#quiz-review ol.quiz-review > li').count(), 5);
    assert.equal(await phone.locator('#quiz-review .explain').count(), 5);
    await Promise.all([
      phone.waitForURL(/#pledge$/),
      phone.locator('[data-action=quiz-pledge]').click(),
    ]);
    await phone.locator('#pledged').waitFor();
    await screenshot(phone, 'quiz-result-zh-phone');
  });

  // The analyst: one of the finance bureau's two took part, the number masked.
  await withShot(analyst, 'quiz-campaign', async () => {
    await open(analyst, new URL(campaignUrl).pathname);
    assert.equal(await analyst.locator('[data-stat=quiz-participants]').innerText(), '1');
    assert.equal(await analyst.locator('[data-stat=quiz-pledged]').innerText(), '1');
    assert.equal(await analyst.locator('[data-stat=quiz-participation]').innerText(), '20.0%');
    const finance = analyst.locator('#quiz-employers tr[data-employer="余姚市财政局"]');
    assert.match(await finance.innerText(), /50\.0%/);
    const recent = await analyst.locator('#quiz-recent').innerText();
    assert.match(recent, /139\*\*\*\*5678/);
    assert.doesNotMatch(recent, /13900005678/);
    await screenshot(analyst, 'quiz-campaign-zh-desktop');
  });
  await open(analyst, `${new URL(campaignUrl).pathname}/poster`);
  assert.equal(await analyst.locator('#poster .qr svg').count(), 1);
});
