// Every main page in Chinese and English, on a 1440×900 desktop and a 390×844 phone: it answers
// 200, reaches DOMContentLoaded in under a second on localhost, and is saved as a screenshot
// (docs/screenshots/ when SCREENSHOTS=1). The dashboard's first load must stay under 1.5 MB.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newContext, login, open, api, apiOk, screenshot, screenshotDir, residentOf,
} from '../lib.mjs';

const MAX_DCL_MS = 1000;
const MAX_DASHBOARD_BYTES = 1.5 * 1024 * 1024;

let browser;
const contexts = new Map();
const figures = [];
let warningId = null;
let instructionId = null;

before(async () => {
  browser = await launch();
});
after(async () => {
  for (const f of figures) console.log(`# ${f}`);
  console.log(`# screenshots in ${screenshotDir()}`);
  await browser?.close();
});

/** One logged-in context per (user, language, viewport), reused across pages. */
async function pageFor(user, lang, mobile) {
  const key = `${user}/${lang}/${mobile}`;
  if (!contexts.has(key)) {
    const ctx = await newContext(browser, { lang, mobile });
    const page = await ctx.newPage();
    if (user) await login(page, user);
    contexts.set(key, page);
  }
  return contexts.get(key);
}

/** Milliseconds from navigation start to DOMContentLoaded of the current document. */
async function domContentLoadedMs(page) {
  return page.evaluate(() => {
    const [nav] = performance.getEntriesByType('navigation');
    return Math.round(nav.domContentLoadedEventEnd - nav.startTime);
  });
}

/** A warning to show on the detail page, created once by the analyst. */
async function someWarning() {
  if (warningId) return warningId;
  const analyst = await pageFor('analyst', 'zh', false);
  const grid = await pageFor('grid', 'zh', true);
  const village = (await apiOk(grid, 'GET', '/api/v1/me')).unit_code;
  const resident = await residentOf(analyst, village, 3);
  const created = await apiOk(analyst, 'POST', '/api/v1/warnings', {
    resident_id: resident.resident_id,
    level: 1,
    fraud_type: 'impersonate_police',
    source: 'national_push',
    note: '端到端测试：截图',
  }, 201);
  warningId = created.warning_id;
  instructionId = created.instruction_id;
  return warningId;
}

/** A card the screening flagged for 频繁开销户 (the history has some), else any card, else the list. */
async function someCardPage() {
  const analyst = await pageFor('analyst', 'zh', false);
  for (const q of ['reason=frequent_open_close&limit=1', 'limit=1']) {
    const list = await apiOk(analyst, 'GET', `/api/v1/new-cards?${q}`);
    if (list.items.length) return `/card-screening/${list.items[0].id}`;
  }
  return '/card-screening';
}

/** The newest cluster operation's page (the history has a running one), else the list. */
async function someOperationPage() {
  const analyst = await pageFor('analyst', 'zh', false);
  await open(analyst, '/operations');
  const row = analyst.locator('#operations tr[data-operation]').first();
  const id = (await row.count()) ? await row.getAttribute('data-operation') : null;
  return id ? `/operations/${id}` : '/operations';
}

/** The newest quiz campaign's page (the history has two; else one is opened here). */
async function someQuizPage() {
  const analyst = await pageFor('analyst', 'zh', false);
  await open(analyst, '/quizzes');
  // The public-sector campaign shows the employers' table; any other will do.
  for (const rows of ['tr[data-audience=public_sector]', 'tr[data-campaign]']) {
    const row = analyst.locator(`#quiz-campaigns ${rows}`).first();
    if (await row.count()) return `/quizzes/${await row.getAttribute('data-campaign')}`;
  }
  await api(analyst, 'POST', '/quizzes/questions/builtin', null, { form: {} });
  const r = await api(analyst, 'POST', '/quizzes', null, {
    form: {
      title: '全民反诈知识测试',
      audience: 'community',
      opens: new Date().toISOString().slice(0, 10),
      closes: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
    },
  });
  assert.equal(r.status, 303, r.text.slice(0, 300));
  return r.headers.location;
}

/** The public page of an open campaign's link (the residents' one of the history). */
async function someQuizLink() {
  const analyst = await pageFor('analyst', 'zh', false);
  await open(analyst, '/quizzes');
  const row = analyst.locator('#quiz-campaigns tr[data-open=true]').first();
  const page = (await row.count())
    ? `/quizzes/${await row.getAttribute('data-campaign')}`
    : await someQuizPage();
  await open(analyst, page);
  return new URL(await analyst.locator('#quiz-link').innerText()).pathname;
}

/** The newest app drive's page (the history has one; else one is opened here). */
async function someDrivePage() {
  const analyst = await pageFor('analyst', 'zh', false);
  await open(analyst, '/app-drives');
  const row = analyst.locator('#app-drives tr[data-drive]').first();
  if (await row.count()) return `/app-drives/${await row.getAttribute('data-drive')}`;
  const r = await api(analyst, 'POST', '/app-drives', null, {
    form: {
      title: '干部职工发动亲友注册国家反诈中心APP',
      opens: new Date().toISOString().slice(0, 10),
      closes: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
      quota: '30',
      employers: '财政局,12\n教育局,30',
    },
  });
  assert.equal(r.status, 303, r.text.slice(0, 300));
  return r.headers.location;
}

/** The public enrolment page of that drive. */
async function someDriveLink() {
  const analyst = await pageFor('analyst', 'zh', false);
  await open(analyst, await someDrivePage());
  return new URL(await analyst.locator('#drive-link').innerText()).pathname;
}

/** A joint-office page of the first row of `table` on the desk (`data-attr` its id), else the desk. */
async function someJointPage(table, attr, prefix) {
  const commander = await pageFor('commander', 'zh', false);
  await open(commander, '/joint-office?days=365');
  const row = commander.locator(`${table} tr[${attr}]`).first();
  const id = (await row.count()) ? await row.getAttribute(attr) : null;
  return id ? `${prefix}/${id}` : '/joint-office';
}

// name, who looks at it, path, an element that shows the page has rendered
const PAGES = [
  { name: 'login', user: null, path: async () => '/login', ready: 'form[action="/login"]' },
  { name: 'home', user: 'bank_icbc', path: async () => '/', ready: 'main .card' },
  { name: 'dashboard', user: 'commander', path: async () => '/dashboard', ready: '#live-warnings' },
  { name: 'instructions', user: 'commander', path: async () => '/instructions', ready: 'main' },
  { name: 'mobile', user: 'grid', path: async () => '/m', ready: 'main' },
  { name: 'audit', user: 'admin', path: async () => '/audit', ready: 'tr[data-audit-action], main' },
  { name: 'warning', user: 'analyst', path: async () => `/warnings/${await someWarning()}`, ready: '[data-action=reveal]' },
  { name: 'instruction', user: 'commander', path: async () => { await someWarning(); return `/instructions/${instructionId}`; }, ready: '.timeline' },
  { name: 'warnings', user: 'analyst', path: async () => '/warnings', ready: '#warnings' },
  { name: 'admin', user: 'admin', path: async () => '/admin', ready: '#users' },
  { name: 'cases', user: 'analyst', path: async () => '/cases', ready: '#cases' },
  { name: 'statistics', user: 'leader', path: async () => '/statistics', ready: '#units' },
  { name: 'key-persons', user: 'analyst', path: async () => '/key-persons', ready: '#key-persons' },
  { name: 'card-screening', user: 'analyst', path: async () => '/card-screening', ready: '#nc-figures' },
  { name: 'new-card', user: 'analyst', path: someCardPage, ready: '#nc-card, #nc-figures' },
  { name: 'phone-card-screening', user: 'operator_cm', path: async () => '/card-screening', ready: '#nc-figures' },
  { name: 'analysis-groups', user: 'analyst', path: async () => '/analysis-groups', ready: '#ag-groups' },
  { name: 'campaigns', user: 'commander', path: async () => '/campaigns', ready: '#campaigns' },
  { name: 'operations', user: 'commander', path: async () => '/operations', ready: '#operations' },
  { name: 'alliance', user: 'commander', path: async () => '/alliance?days=365', ready: '#alliance-members' },
  { name: 'model-sites', user: 'leader', path: async () => '/model-sites', ready: '#site-check' },
  { name: 'todo', user: 'station', path: async () => '/todo', ready: '#todo' },
  { name: 'joint-office', user: 'commander', path: async () => '/joint-office?days=90', ready: '#joint-members' },
  { name: 'joint-task', user: 'commander', path: () => someJointPage('#joint-tasks', 'data-task', '/joint-office/tasks'), ready: '#task-history, #joint-members' },
  { name: 'joint-member', user: 'commander', path: () => someJointPage('#joint-members', 'data-member', '/joint-office/members'), ready: '#member-tasks, #joint-members' },
  { name: 'operation', user: 'analyst', path: someOperationPage, ready: '#operation-targets, #operations' },
  { name: 'supervision', user: 'commander', path: async () => '/supervision', ready: '#sv-figures' },
  { name: 'guardians', user: 'analyst', path: async () => '/guardians', ready: '#sign-up-figures' },
  { name: 'warning-pushes', user: 'analyst', path: async () => '/warnings/pushes', ready: '#push-imports' },
  { name: 'fund-warnings', user: 'analyst', path: async () => '/warnings/funds', ready: '#fund-figures' },
  { name: 'public-sector', user: 'commander', path: async () => '/public-sector', ready: '#ps-figures' },
  { name: 'assessment', user: 'leader', path: async () => '/assessment', ready: '#assessment' },
  { name: 'rules', user: 'admin', path: async () => '/admin/rules', ready: '#active-rules' },
  { name: 'stop-payments', user: 'bank_icbc', path: async () => '/stop-payments', ready: '#stop-payments' },
  { name: 'number-disposals', user: 'analyst', path: async () => '/number-disposals', ready: '#nd-figures' },
  { name: 'card-cleanups', user: 'analyst', path: async () => '/card-cleanups', ready: '#cc-figures' },
  { name: 'card-checks', user: 'bank_icbc', path: async () => '/card-checks', ready: '#ck-figures' },
  { name: 'call-figures', user: 'analyst', path: async () => '/calls/figures?period=30d', ready: '#call-figures' },
  { name: 'scripts', user: 'analyst', path: async () => '/scripts', ready: '#tp-impersonating_police' },
  { name: 'outreach-posts', user: 'commander', path: async () => '/outreach/posts', ready: '#posts-totals' },
  { name: 'outreach-lists', user: 'station', path: async () => '/outreach/lists', ready: '#ol-profile' },
  { name: 'crime-counts', user: 'leader', path: async () => '/crime-counts', ready: '#crime-months' },
  { name: 'operator-figures', user: 'leader', path: async () => '/operator-figures', ready: '#of-months' },
  { name: 'bank-figures', user: 'bank_icbc', path: async () => '/bank-figures', ready: '#bf-months' },
  { name: 'partner-bulletins', user: 'bank_icbc', path: async () => '/partner-bulletins', ready: '#bulletins' },
  { name: 'gangs', user: 'analyst', path: async () => '/gangs', ready: '#gang-form' },
  { name: 'solved-elsewhere', user: 'commander', path: async () => '/solved-elsewhere', ready: '#se-figures' },
  { name: 'tips', user: 'analyst', path: async () => '/tips', ready: '#tip-figures' },
  { name: 'tips-phone', user: 'grid', path: async () => '/m/tips', ready: '#report-tip' },
  { name: 'quizzes', user: 'analyst', path: async () => '/quizzes', ready: '#quiz-campaigns' },
  { name: 'quiz-campaign', user: 'analyst', path: someQuizPage, ready: '#quiz-figures' },
  { name: 'quiz-bank', user: 'commander', path: async () => '/quizzes/questions', ready: '#quiz-bank' },
  { name: 'quiz-public', user: null, path: someQuizLink, ready: '#quiz-start' },
  { name: 'quizzes-phone', user: 'grid', path: async () => '/m/quizzes', ready: '#open-quizzes' },
  { name: 'app-drives', user: 'analyst', path: async () => '/app-drives', ready: '#app-drives' },
  { name: 'outreach-allocate', user: 'commander', path: async () => '/outreach/allocate', ready: '#allocate-lines' },
  { name: 'leak-sources', user: 'analyst', path: async () => '/leak-sources?days=365', ready: '#ls-figures' },
  { name: 'teams', user: 'commander', path: async () => '/teams', ready: '#team-figures' },
  { name: 'app-drive', user: 'analyst', path: someDrivePage, ready: '#drive-figures' },
  { name: 'app-drive-public', user: null, path: someDriveLink, ready: '#drive-enrol' },
];

for (const p of PAGES) {
  for (const lang of ['zh', 'en']) {
    for (const [device, mobile] of [['desktop', false], ['mobile', true]]) {
      const shot = `${p.name}-${lang}-${device}`;
      test(shot, { timeout: 60_000 }, async () => {
        const page = await pageFor(p.user, lang, mobile);
        const path = await p.path();
        await open(page, path);
        assert.equal(
          (await page.locator('html').getAttribute('lang')).slice(0, 2),
          lang,
          `${path} is in ${lang}`,
        );
        await page.locator(p.ready).first().waitFor({ state: 'attached' });
        // Charts and fonts settle; live updates keep coming, so do not wait for network idle.
        await page.waitForTimeout(p.name === 'dashboard' ? 1500 : 300);
        const dcl = await domContentLoadedMs(page);
        figures.push(`DOMContentLoaded ${shot}: ${dcl} ms`);
        await screenshot(page, shot);
        assert.ok(dcl < MAX_DCL_MS, `${path} DOMContentLoaded after ${dcl} ms (limit ${MAX_DCL_MS})`);
      });
    }
  }
}

test('the dashboard\'s first load transfers at most 1.5 MB', { timeout: 60_000 }, async () => {
  // A fresh context: empty cache, so every asset is fetched.
  const ctx = await newContext(browser, { lang: 'zh' });
  const page = await ctx.newPage();
  await login(page, 'commander');
  const responses = [];
  page.on('response', (r) => responses.push(r));
  await open(page, '/dashboard');
  await page.waitForTimeout(1000);
  let transfer = 0;
  let decoded = 0;
  const rows = [];
  for (const r of responses) {
    // The SSE stream never ends; it is not part of the page's weight.
    if ((r.headers()['content-type'] || '').startsWith('text/event-stream')) continue;
    const sizes = await r.request().sizes();
    const body = await r.body().catch(() => Buffer.alloc(0));
    transfer += sizes.responseBodySize;
    decoded += body.length;
    rows.push(`${sizes.responseBodySize} ${new URL(r.url()).pathname}`);
  }
  figures.push(`dashboard first load: ${responses.length} responses, ${transfer} bytes transferred, ${decoded} bytes decoded`);
  for (const row of rows) figures.push(`  ${row}`);
  await ctx.close();
  // Decoded bytes bound the weight from above (gzip only makes the transfer smaller), and
  // Chromium reports no body size for some compressed responses.
  assert.ok(decoded > 0, 'the dashboard loaded something');
  assert.ok(decoded <= MAX_DASHBOARD_BYTES, `dashboard first load ${decoded} bytes decoded > ${MAX_DASHBOARD_BYTES}`);
});
