// 案件导入: the analyst uploads a 110 export on the cases page; the good rows become cases, the
// bad ones are listed by line and reason, and uploading the same file again opens nothing.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { launch, loggedInPage, open } from '../lib.mjs';

let browser;
let analyst;

before(async () => {
  browser = await launch();
  analyst = await loggedInPage(browser, 'analyst');
});
after(async () => {
  await browser?.close();
});

function exportCsv() {
  const dir = mkdtempSync(join(tmpdir(), 'fanzha-110-'));
  const path = join(dir, '110_export.csv');
  const stamp = Date.now();
  writeFileSync(path, [
    '接警编号,报警人,证件号码,接警时间,涉案金额（元）,警情内容,管辖单位',
    `E2E-${stamp}-1,测试甲,,2026年3月1日 10时30分,1.2万,对方自称公安局民警，说我涉嫌洗钱，要求转账到安全账户。,`,
    `E2E-${stamp}-2,测试乙,,2026-03-01 11:00,"1,234.56",刷单返利，先垫付后返佣金，垫付后联系不上。,`,
    `E2E-${stamp}-3,测试丙,330281199001011234,2026-03-01 12:00,500,冒充客服退款。,`,
    `E2E-${stamp}-4,测试丁,,2026-03-01 13:00,800,网络贷款要先交手续费。,不存在派出所`,
  ].join('\n'));
  return path;
}

test('a 110 export becomes cases once; bad rows are listed by line and reason', { timeout: 60_000 }, async () => {
  const file = exportCsv();
  await open(analyst, '/cases');
  const form = analyst.locator('#import-cases');
  await form.locator('input[type=file][name=file]').setInputFiles(file);
  await form.locator('[data-action=import-cases]').click();
  const result = analyst.locator('#import-result');
  await result.waitFor();
  assert.equal(await result.locator('[data-imported]').innerText(), '2');
  assert.equal(await result.locator('[data-duplicate]').innerText(), '0');
  assert.equal(await result.locator('[data-rejected]').innerText(), '2');
  assert.equal(await analyst.locator('#import-rejected tr[data-line="4"]').getAttribute('data-reason'), 'bad_check_digit');
  assert.equal(await analyst.locator('#import-rejected tr[data-line="5"]').getAttribute('data-reason'), 'unknown_unit');

  // The new case opens from the result, with its report number.
  await result.locator('[data-imported-report] a').first().click();
  await analyst.waitForURL(/\/cases\/AJ\d+$/);
  assert.match(await analyst.locator('[data-report-no]').innerText(), /^E2E-\d+-[12]$/);

  // The same file again: nothing new, and the page says so.
  await open(analyst, '/cases');
  await analyst.locator('#import-cases input[type=file][name=file]').setInputFiles(file);
  await analyst.locator('#import-cases [data-action=import-cases]').click();
  await analyst.locator('#import-result [data-nothing-new]').waitFor();
  assert.equal(await analyst.locator('#import-result [data-imported]').innerText(), '0');
  assert.equal(await analyst.locator('#import-result [data-duplicate]').innerText(), '2');
});
