// The annual report (/stats) in the browser, as the demo's analyst (who signs in with a
// password only and sees disclosure-controlled figures): every chart is an image with a
// title and its numbers in a table, the page passes axe on a desktop and a phone, the
// CSV download works, and on paper the navigation and forms are gone.
const { test, expect } = require('./fixtures');
const { DEMO_PASSWORD, DESKTOP, PHONE, expectNoHorizontalScroll, formWith, submit } = require('./journey-helpers');

const ANALYST = 'analytiker@demo.bisidder.dk';

test('an analyst reads the annual report, downloads it and prints it', async ({ page, axe }) => {
  await page.setViewportSize(DESKTOP);
  await page.goto('/login');
  await axe.check(page, 'sign-in page (analyst)');
  const form = formWith(page, 'password');
  await form.locator('input[name=email]').fill(ANALYST);
  await form.locator('input[name=password]').fill(DEMO_PASSWORD);
  await submit(page, form.locator('button[type=submit]'));
  await expect(page).toHaveURL(/\/start$/);
  await axe.check(page, 'start page (analyst)');

  await submit(page, page.getByRole('link', { name: 'Årsrapport' }));
  await expect(page).toHaveURL(/\/stats$/);
  await axe.check(page, 'annual report (analyst)');
  const year = new Date().getFullYear() - 1;
  await page.locator('#year').selectOption(String(year));
  await submit(page, page.getByRole('button', { name: 'Vis' }));
  await expect(page.locator('h1')).toHaveText(`Årsrapport ${year}`);
  await axe.check(page, `annual report ${year} (analyst)`);

  // Four charts, each an image named by its title, each followed by its table.
  const charts = page.locator('figure svg[role=img]');
  await expect(charts).toHaveCount(4);
  for (const chart of await charts.all()) {
    const title = await chart.locator('title').textContent();
    expect(title.length).toBeGreaterThan(3);
  }
  await expect(page.getByRole('img', { name: /Nye sager pr. år efter mødested/ })).toBeVisible();
  // The demo has hundreds of cases a year: the total is a plain number for the analyst.
  const total = page.locator('tr[data-key="new_cases.total"] td');
  await expect(total).toHaveText(/^\d+$/);

  // The CSV download is the protected report.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Hent som CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`bisidder-${year}.csv`);
  const text = require('fs').readFileSync(await download.path(), 'utf8');
  expect(text).toContain('new_cases.total');

  // On paper: no navigation, no year form, no download links; the charts stay.
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.site-nav')).toBeHidden();
  await expect(page.locator('form[action="/stats"]')).toBeHidden();
  await expect(charts.first()).toBeVisible();
  await page.emulateMedia({ media: 'screen' });

  // On a phone the report fits the screen (tables scroll inside their own region).
  await page.setViewportSize(PHONE);
  await page.reload();
  await axe.check(page, `annual report ${year} on a phone (analyst)`);
  await expectNoHorizontalScroll(page, PHONE.width, 'annual report on a phone');
  await page.setViewportSize({ width: 320, height: 640 });
  await expectNoHorizontalScroll(page, 320, 'annual report at 320 px');
});
